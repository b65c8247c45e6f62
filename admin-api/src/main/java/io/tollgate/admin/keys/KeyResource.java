package io.tollgate.admin.keys;

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
import io.tollgate.db.model.ApiKey;

/**
 * {@code /tenants/{slug}/api-keys}. The create response is the only place the full key ever appears; an
 * Idempotency-Key replay answers with the same key id but {@code "key": null}.
 */
public final class KeyResource implements HttpService {
    private final AdminContext ctx;
    private final ApiKeys keys;

    public KeyResource(AdminContext ctx) {
        this.ctx = ctx;
        this.keys = new ApiKeys(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tenants/{slug}/api-keys", this::create)
                .get("/tenants/{slug}/api-keys", this::list)
                .get("/tenants/{slug}/api-keys/{id}", this::get)
                .patch("/tenants/{slug}/api-keys/{id}", this::update)
                .delete("/tenants/{slug}/api-keys/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        String slug = param(req, "slug");
        TenantScope.forAdmin(ctx.db().dsl(), caller.principal(), slug);
        var body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> keys.create(tx, caller, slug, body),
                created -> {
                    var shown = KeyViews.json(created.key()).put("key", created.fullKey());
                    var replay = KeyViews.json(created.key()).putNull("key");
                    return new Creates.Created("/api/v1/tenants/" + slug + "/api-keys/" + created.key().id(),
                            Api.etag(created.key().rowVersion()), shown, replay);
                });
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        var rows = keys.page(caller.principal(), param(req, "slug"), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, KeyViews::json, k -> k.id().toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        ApiKey k = keys.get(ctx.caller(req).principal(), param(req, "slug"), param(req, "id"));
        Api.json(res, Status.OK_200, KeyViews.json(k), Api.etag(k.rowVersion()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        var body = Api.body(req);
        ApiKey k = keys.update(caller, param(req, "slug"), param(req, "id"), body, v -> Api.checkIfMatch(req, v));
        Api.json(res, Status.OK_200, KeyViews.json(k), Api.etag(k.rowVersion()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        keys.revoke(ctx.caller(req), param(req, "slug"), param(req, "id"), v -> Api.checkIfMatch(req, v));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }
}
