package io.tollgate.admin.routes;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.http.Api;
import io.tollgate.common.json.Json;

/**
 * {@code POST /tenants/{slug}/routes/{ref}/cache/purge}: drops what gateway nodes cached for one route. Answers 202:
 * the purge is committed, and each node applies it with the config version that carries it (usually within a
 * second).
 */
public final class RouteCacheResource implements HttpService {
    private final AdminContext ctx;
    private final Routes routes;

    public RouteCacheResource(AdminContext ctx) {
        this.ctx = ctx;
        this.routes = new Routes(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tenants/{slug}/routes/{ref}/cache/purge", this::purge);
    }

    private void purge(ServerRequest req, ServerResponse res) {
        Routes.Purged purged = routes.purgeCache(ctx.caller(req), req.path().pathParameters().get("slug"),
                req.path().pathParameters().get("ref"));
        var body = Json.mapper().createObjectNode()
                .put("route_id", purged.routeId().toString())
                .put("cache_purge_generation", purged.generation());
        Api.json(res, Status.ACCEPTED_202, body, null);
    }
}
