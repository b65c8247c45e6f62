package io.tollgate.console.tenant;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Tenant;

/** The tenant overview. */
final class DashboardPage {
    private final AdminContext ctx;
    private final Pages pages;

    DashboardPage(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
    }

    void routing(HttpRules rules) {
        rules.get("/t/{slug}", pages.signedIn(this::show));
    }

    private void show(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        v.render("dashboard", TenantPages.model(v, tenant, "dashboard"));
    }
}
