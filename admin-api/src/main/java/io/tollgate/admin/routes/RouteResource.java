package io.tollgate.admin.routes;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Creates;
import io.tollgate.admin.http.Page;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.db.model.Route;

/** {@code /tenants/{slug}/routes}. */
public final class RouteResource implements HttpService {
    private final AdminContext ctx;
    private final Routes routes;

    public RouteResource(AdminContext ctx) {
        this.ctx = ctx;
        this.routes = new Routes(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tenants/{slug}/routes", this::create)
                .get("/tenants/{slug}/routes", this::list)
                .get("/tenants/{slug}/routes/{ref}", this::get)
                .patch("/tenants/{slug}/routes/{ref}", this::update)
                .delete("/tenants/{slug}/routes/{ref}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        String slug = param(req, "slug");
        TenantScope.forAdmin(ctx.db().dsl(), caller.principal(), slug);
        var body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> routes.create(tx, caller, slug, body),
                r -> Creates.Created.of("/api/v1/tenants/" + slug + "/routes/" + r.id(), Api.etag(r.rowVersion()),
                        RouteViews.json(r)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        var rows = routes.page(caller.principal(), param(req, "slug"), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, RouteViews::json, r -> r.id().toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Route r = routes.get(ctx.caller(req).principal(), param(req, "slug"), param(req, "ref"));
        Api.json(res, Status.OK_200, RouteViews.json(r), Api.etag(r.rowVersion()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        var body = Api.body(req);
        Route r = routes.update(caller, param(req, "slug"), param(req, "ref"), body, v -> Api.checkIfMatch(req, v));
        Api.json(res, Status.OK_200, RouteViews.json(r), Api.etag(r.rowVersion()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        routes.delete(ctx.caller(req), param(req, "slug"), param(req, "ref"), v -> Api.checkIfMatch(req, v));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }
}
