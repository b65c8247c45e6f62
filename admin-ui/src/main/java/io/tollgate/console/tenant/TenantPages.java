package io.tollgate.console.tenant;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Tenant;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything under {@code /t/{slug}}. Each handler resolves the tenant through {@link TenantScope}, the same
 * check the REST API makes: an admin of another tenant gets 403 whether or not the slug exists.
 */
public final class TenantPages {
    private final ServicePages services;
    private final RoutePages routes;
    private final KeyPages keys;
    private final DashboardPage dashboard;

    public TenantPages(AdminContext ctx, Pages pages, URI gatewayUrl) {
        this.services = new ServicePages(ctx, pages);
        this.routes = new RoutePages(ctx, pages, gatewayUrl);
        this.keys = new KeyPages(ctx, pages);
        this.dashboard = new DashboardPage(ctx, pages);
    }

    public void routing(HttpRules rules) {
        dashboard.routing(rules);
        services.routing(rules);
        routes.routing(rules);
        keys.routing(rules);
    }

    /** The tenant of the URL, when the visitor may read it (403 otherwise). */
    static Tenant readable(AdminContext ctx, Visit v) {
        return TenantScope.forReader(ctx.db().dsl(), v.principal(), v.path("slug"));
    }

    /** The tenant of the URL, when the visitor may change it (403 otherwise). */
    static Tenant writable(AdminContext ctx, Visit v) {
        return TenantScope.forAdmin(ctx.db().dsl(), v.principal(), v.path("slug"));
    }

    /** What every tenant page shows: the tenant, its tab, and whether the visitor may change things. */
    static Map<String, Object> model(Visit v, Tenant tenant, String tab) {
        Map<String, Object> model = new HashMap<>();
        model.put("tenant", tenant);
        model.put("slug", tenant.slug());
        model.put("tab", tab);
        model.put("pageTitle", tenant.name());
        model.put("canEdit", v.principal().administers(tenant.id()));
        return model;
    }
}
