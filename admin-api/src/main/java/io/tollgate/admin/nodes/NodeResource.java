package io.tollgate.admin.nodes;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.http.Api;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.model.GatewayNode;

/** {@code GET /nodes}: gateway nodes, the config version each applied, and whether it is in sync. */
public final class NodeResource implements HttpService {
    private final AdminContext ctx;

    public NodeResource(AdminContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/nodes", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        var principal = ctx.caller(req).principal();
        if (!principal.readsAllTenants()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "only platform admins and auditors see gateway nodes");
        }
        NodeStates.Report report = NodeStates.read(ctx.db().dsl());
        var body = Json.mapper().createObjectNode();
        body.put("config_version", report.configVersion());
        var items = body.putArray("items");
        for (NodeStates.NodeState s : report.nodes()) {
            GatewayNode n = s.node();
            var item = items.addObject()
                    .put("id", n.id())
                    .put("host", n.host())
                    .put("applied_version", n.appliedVersion())
                    .put("state", s.state())
                    .put("started_at", n.startedAt().toInstant().toString())
                    .put("last_heartbeat", n.lastHeartbeat().toInstant().toString());
            var targets = item.putArray("targets");
            for (GatewayNode.Target t : n.targets()) {
                targets.addObject()
                        .put("service_id", t.serviceId())
                        .put("service", t.service())
                        .put("target", t.target())
                        .put("healthy", t.healthy())
                        .put("circuit", t.circuit())
                        .put("ejected", t.ejected())
                        .put("failing_checks", t.failingChecks());
            }
        }
        Api.ok(res, body);
    }
}
