package io.tollgate.console.platform;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.console.web.Pages;

public final class PlatformPages {
    private final AdminContext ctx;
    private final Pages pages;

    public PlatformPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
    }

    public void routing(HttpRules rules) {
    }
}
