package io.tollgate.console.audit;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.console.web.Pages;

public final class AuditPages {
    private final AdminContext ctx;
    private final Pages pages;

    public AuditPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
    }

    public void routing(HttpRules rules) {
    }
}
