package io.tollgate.admin.routes;

import io.tollgate.admin.AdminContext;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Creates;
import io.tollgate.admin.http.TenantCollection;
import io.tollgate.db.model.Route;

/** {@code /tenants/{slug}/routes}: routes, addressed by id or name. */
public final class RouteResource {
    private RouteResource() {
    }

    public static TenantCollection<Route, Route> create(AdminContext ctx) {
        return new TenantCollection<>(ctx, "routes", "ref", new Routes(ctx.db(), ctx.writer()),
                new TenantCollection.Shape<>(RouteViews::json, Route::id, Route::rowVersion,
                        (slug, r) -> Creates.Created.of(TenantCollection.itemPath(slug, "routes", r.id()),
                                Api.etag(r.rowVersion()), RouteViews.json(r))));
    }
}
