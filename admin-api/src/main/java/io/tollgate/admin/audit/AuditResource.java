package io.tollgate.admin.audit;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.admin.http.Page;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.TenantStore;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /audit-events}: the trail, filtered by time range, tenant, actor, action and target, oldest first
 * with a cursor. An auditor of one tenant sees only that tenant's events.
 */
public final class AuditResource implements HttpService {
    private final AdminContext ctx;

    public AuditResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/audit-events", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Principal principal = ctx.caller(req).principal();
        if (!principal.isAuditor()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "only auditors and platform admins read the audit trail");
        }
        var q = req.query();
        UUID tenantId = null;
        if (q.contains("tenant") && !q.get("tenant").isEmpty()) {
            Tenant tenant = new TenantStore(ctx.db().dsl()).bySlug(q.get("tenant")).orElse(null);
            if (tenant == null || !principal.audits(tenant.id())) {
                if (!principal.audits(null)) {
                    throw ProblemException.of(ProblemType.FORBIDDEN, "you may not read this tenant's audit trail");
                }
                throw Input.fieldError("tenant", "no tenant with slug '" + q.get("tenant") + "'");
            }
            tenantId = tenant.id();
        } else if (!principal.audits(null)) {
            // A tenant-scoped auditor always reads their own tenant only.
            List<UUID> own = principal.grants().stream().filter(g -> g.tenantId() != null
                    && g.role().equals(Principal.AUDITOR)).map(Principal.Grant::tenantId).toList();
            if (own.size() != 1) {
                throw Input.fieldError("tenant", "name the tenant whose trail you want");
            }
            tenantId = own.getFirst();
        }
        Page page = Page.of(req);
        Long afterId = null;
        if (page.after() != null) {
            try {
                afterId = Long.parseLong(page.after());
            } catch (NumberFormatException e) {
                throw Input.fieldError("cursor", "is not a cursor this API returned");
            }
        }
        var filter = new AuditStore.Filter(tenantId, time(req, "from"), time(req, "to"), text(req, "actor"),
                text(req, "action"), text(req, "target"));
        List<AuditEvent> rows = new AuditStore(ctx.db().dsl()).page(filter, afterId, page.fetchSize());
        Api.ok(res, page.render(rows, AuditViews::json, e -> Long.toString(e.id())));
    }

    private static String text(ServerRequest req, String name) {
        return req.query().contains(name) && !req.query().get(name).isEmpty() ? req.query().get(name) : null;
    }

    private static OffsetDateTime time(ServerRequest req, String name) {
        String value = text(req, name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw Input.fieldError(name, "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
        }
    }
}
