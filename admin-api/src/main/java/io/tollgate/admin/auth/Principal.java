package io.tollgate.admin.auth;

import java.util.List;
import java.util.UUID;

/**
 * Who is calling: a signed-in user or an operator automation token, with the roles it holds. Every rule of the
 * RBAC matrix is one of the methods below; services ask these, never the role strings.
 */
public record Principal(Kind kind, UUID id, String name, List<Grant> grants) {
    public static final String PLATFORM_ADMIN = "platform-admin";
    public static final String TENANT_ADMIN = "tenant-admin";
    public static final String AUDITOR = "auditor";

    public enum Kind { USER, TOKEN }

    /** One role; tenantId null means platform-wide. */
    public record Grant(String role, UUID tenantId) {
    }

    public Principal {
        grants = List.copyOf(grants);
    }

    public boolean isPlatformAdmin() {
        return has(PLATFORM_ADMIN, null);
    }

    /** Reads everything platform-wide: platform admins and platform auditors. */
    public boolean readsAllTenants() {
        return isPlatformAdmin() || has(AUDITOR, null);
    }

    /** Changes the tenant's services, routes and keys. */
    public boolean administers(UUID tenantId) {
        return isPlatformAdmin() || has(TENANT_ADMIN, tenantId);
    }

    /** Reads the tenant's configuration. */
    public boolean reads(UUID tenantId) {
        return administers(tenantId) || audits(tenantId);
    }

    /** Reads the tenant's audit trail. */
    public boolean audits(UUID tenantId) {
        return isPlatformAdmin() || has(AUDITOR, null) || (tenantId != null && has(AUDITOR, tenantId));
    }

    /** Reads some audit trail: the whole platform's or one tenant's. */
    public boolean isAuditor() {
        return isPlatformAdmin() || grants.stream().anyMatch(g -> g.role().equals(AUDITOR));
    }

    private boolean has(String role, UUID tenantId) {
        return grants.stream().anyMatch(g -> g.role().equals(role)
                && (tenantId == null ? g.tenantId() == null : tenantId.equals(g.tenantId())));
    }

    /** How the actor is written in audit events. */
    public String actorType() {
        return kind == Kind.USER ? "user" : "token";
    }
}
