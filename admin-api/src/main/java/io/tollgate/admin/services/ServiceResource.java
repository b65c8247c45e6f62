package io.tollgate.admin.services;

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
import io.tollgate.db.model.Service;

/** {@code /tenants/{slug}/services}. */
public final class ServiceResource implements HttpService {
    private final AdminContext ctx;
    private final Services services;

    public ServiceResource(AdminContext ctx) {
        this.ctx = ctx;
        this.services = new Services(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tenants/{slug}/services", this::create)
                .get("/tenants/{slug}/services", this::list)
                .get("/tenants/{slug}/services/{ref}", this::get)
                .patch("/tenants/{slug}/services/{ref}", this::update)
                .delete("/tenants/{slug}/services/{ref}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        String slug = param(req, "slug");
        io.tollgate.admin.tenants.TenantScope.forAdmin(ctx.db().dsl(), caller.principal(), slug);
        var body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> services.create(tx, caller, slug, body),
                s -> Creates.Created.of("/api/v1/tenants/" + slug + "/services/" + s.id(), Api.etag(s.rowVersion()),
                        ServiceViews.json(s)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        var rows = services.page(caller.principal(), param(req, "slug"), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, ServiceViews::json, s -> s.id().toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Service s = services.get(ctx.caller(req).principal(), param(req, "slug"), param(req, "ref"));
        Api.json(res, Status.OK_200, ServiceViews.json(s), Api.etag(s.rowVersion()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        var body = Api.body(req);
        Service s = services.update(caller, param(req, "slug"), param(req, "ref"), body, v -> Api.checkIfMatch(req, v));
        Api.json(res, Status.OK_200, ServiceViews.json(s), Api.etag(s.rowVersion()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        services.delete(ctx.caller(req), param(req, "slug"), param(req, "ref"), v -> Api.checkIfMatch(req, v));
        res.status(Status.NO_CONTENT_204).send();
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }
}
