package io.tollgate.console.platform;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.nodes.NodeStates;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;

import java.util.HashMap;

/** {@code /tenants}, {@code /users} and {@code /nodes}: what only platform admins (and, for nodes, auditors) see. */
public final class PlatformPages {
    private final AdminContext ctx;
    private final Pages pages;
    private final TenantAdminPages tenants;
    private final UserPages users;

    public PlatformPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.tenants = new TenantAdminPages(ctx, pages);
        this.users = new UserPages(ctx, pages);
    }

    public void routing(HttpRules rules) {
        tenants.routing(rules);
        users.routing(rules);
        rules.get("/nodes", pages.signedIn(this::nodes));
    }

    private void nodes(Visit v) {
        if (!v.principal().readsAllTenants()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "Only platform admins and auditors see gateway nodes.");
        }
        NodeStates.Report report = NodeStates.read(ctx.db().dsl());
        var model = new HashMap<String, Object>();
        model.put("report", report);
        v.render("nodes", model);
    }

    static void requirePlatformAdmin(Visit v) {
        if (!v.principal().isPlatformAdmin()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "Only platform admins manage tenants and users.");
        }
    }
}
