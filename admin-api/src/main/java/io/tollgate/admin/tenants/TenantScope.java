package io.tollgate.admin.tenants;

import io.tollgate.admin.auth.Principal;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.TenantStore;
import org.jooq.DSLContext;

import java.util.Optional;

/**
 * Resolves the tenant named in a URL and checks the caller may use it. A caller without any right on the tenant
 * gets 403 whether or not the slug exists, so tenant names do not leak to other tenants' admins.
 */
public final class TenantScope {
    private TenantScope() {
    }

    /** The tenant, when the caller may change its configuration. */
    public static Tenant forAdmin(DSLContext dsl, Principal principal, String slug) {
        return resolve(dsl, principal, slug, true);
    }

    /** The tenant, when the caller may read its configuration. */
    public static Tenant forReader(DSLContext dsl, Principal principal, String slug) {
        return resolve(dsl, principal, slug, false);
    }

    private static Tenant resolve(DSLContext dsl, Principal principal, String slug, boolean write) {
        Optional<Tenant> tenant = new TenantStore(dsl).bySlug(slug);
        boolean allowed = tenant.map(t -> write ? principal.administers(t.id()) : principal.reads(t.id()))
                .orElse(false);
        if (allowed) {
            return tenant.get();
        }
        if (tenant.isEmpty() && principal.readsAllTenants()) {
            throw ProblemException.of(ProblemType.NOT_FOUND, "no tenant with slug '" + slug + "'");
        }
        if (tenant.isPresent() && !write && principal.reads(tenant.get().id())) {
            return tenant.get();
        }
        throw ProblemException.of(ProblemType.FORBIDDEN, write
                ? "your role does not allow changing this tenant"
                : "your role does not allow reading this tenant");
    }
}
