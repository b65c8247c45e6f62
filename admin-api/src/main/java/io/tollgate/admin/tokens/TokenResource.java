package io.tollgate.admin.tokens;

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
import io.tollgate.common.json.Json;

/** {@code POST /auth/token} (sign-in) and {@code /tokens} (operator automation tokens, shown once). */
public final class TokenResource implements HttpService {
    private final AdminContext ctx;
    private final Tokens tokens;

    public TokenResource(AdminContext ctx) {
        this.ctx = ctx;
        this.tokens = new Tokens(ctx);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/auth/token", this::signIn)
                .post("/tokens", this::create)
                .get("/tokens", this::list)
                .get("/tokens/{id}", this::get)
                .delete("/tokens/{id}", this::revoke);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Tokens.Issued issued = tokens.signIn(ctx.anonymous(req), Api.body(req));
        var body = Json.mapper().createObjectNode()
                .put("access_token", issued.token())
                .put("token_type", "Bearer")
                .put("expires_in", ctx.settings().accessTokenTtl().toSeconds());
        Api.ok(res, body);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        var body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> tokens.create(tx, caller, body),
                issued -> {
                    var view = Tokens.json(ctx.db().dsl(), issued.row());
                    return new Creates.Created("/api/v1/tokens/" + issued.row().id(), Tokens.etag(issued.row()),
                            view.deepCopy().put("token", issued.token()), view.putNull("token"));
                });
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        var rows = tokens.page(caller.principal(), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, t -> Tokens.json(ctx.db().dsl(), t), t -> t.id().toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        var token = tokens.get(ctx.caller(req).principal(), req.path().pathParameters().get("id"));
        Api.json(res, Status.OK_200, Tokens.json(ctx.db().dsl(), token), Tokens.etag(token));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        tokens.revoke(ctx.caller(req), req.path().pathParameters().get("id"));
        res.status(Status.NO_CONTENT_204).send();
    }
}
