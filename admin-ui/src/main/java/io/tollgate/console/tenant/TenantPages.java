package io.tollgate.console.tenant;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.console.web.Pages;

public final class TenantPages {
    private final AdminContext ctx;
    private final Pages pages;

    public TenantPages(AdminContext ctx, Pages pages, java.net.URI gatewayUrl) {
        this.ctx = ctx;
        this.pages = pages;
    }

    public void routing(HttpRules rules) {
    }
}
