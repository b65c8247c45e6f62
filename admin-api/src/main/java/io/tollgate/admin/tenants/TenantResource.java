package io.tollgate.admin.tenants;

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
import io.tollgate.db.model.Tenant;

/** {@code /tenants}: thin REST over {@link Tenants}. */
public final class TenantResource implements HttpService {
    private final AdminContext ctx;
    private final Tenants tenants;

    public TenantResource(AdminContext ctx) {
        this.ctx = ctx;
        this.tenants = new Tenants(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tenants", this::create)
                .get("/tenants", this::list)
                .get("/tenants/{slug}", this::get)
                .patch("/tenants/{slug}", this::update)
                .delete("/tenants/{slug}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Tenants.requirePlatformAdmin(caller.principal());
        var body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> tenants.create(tx, caller, body),
                t -> Creates.Created.of("/api/v1/tenants/" + t.slug(), Api.etag(t.rowVersion()), TenantViews.json(t)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        var rows = tenants.page(caller.principal(), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, TenantViews::json, t -> t.id().toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Tenant t = tenants.get(ctx.caller(req).principal(), slug(req));
        Api.json(res, Status.OK_200, TenantViews.json(t), Api.etag(t.rowVersion()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        var body = Api.body(req);
        Tenant t = tenants.update(caller, slug(req), body, v -> Api.checkIfMatch(req, v));
        Api.json(res, Status.OK_200, TenantViews.json(t), Api.etag(t.rowVersion()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        tenants.delete(ctx.caller(req), slug(req), v -> Api.checkIfMatch(req, v));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String slug(ServerRequest req) {
        return req.path().pathParameters().get("slug");
    }
}
