package io.tollgate.admin.users;

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

/** {@code /users}: platform admins manage people and their roles. */
public final class UserResource implements HttpService {
    private final AdminContext ctx;
    private final Users users;

    public UserResource(AdminContext ctx) {
        this.ctx = ctx;
        this.users = new Users(ctx.db(), ctx.writer(), ctx.passwords());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/users", this::create)
                .get("/users", this::list)
                .get("/users/{id}", this::get)
                .patch("/users/{id}", this::update)
                .delete("/users/{id}", this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Users.requirePlatformAdmin(caller.principal());
        var body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> users.create(tx, caller, body),
                u -> Creates.Created.of("/api/v1/users/" + u.user().id(), Api.etag(u.user().rowVersion()),
                        Users.json(ctx.db().dsl(), u)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        var rows = users.page(caller.principal(), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, u -> Users.json(ctx.db().dsl(), u), u -> u.user().id().toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        var u = users.get(ctx.caller(req).principal(), req.path().pathParameters().get("id"));
        Api.json(res, Status.OK_200, Users.json(ctx.db().dsl(), u), Api.etag(u.user().rowVersion()));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        var body = Api.body(req);
        var u = users.update(caller, req.path().pathParameters().get("id"), body, v -> Api.checkIfMatch(req, v));
        Api.json(res, Status.OK_200, Users.json(ctx.db().dsl(), u), Api.etag(u.user().rowVersion()));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        users.delete(ctx.caller(req), req.path().pathParameters().get("id"), v -> Api.checkIfMatch(req, v));
        res.status(Status.NO_CONTENT_204).send();
    }
}
