package io.tollgate.console.platform;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.nodes.NodeStates;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;

import io.tollgate.console.web.Listing;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /tenants}, {@code /users} and {@code /nodes}: what only platform admins (and, for nodes, auditors) see. */
public final class PlatformPages {
    private final AdminContext ctx;
    private final Pages pages;
    private final TenantAdminPages tenants;
    private final UserPages users;

    public PlatformPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.tenants = new TenantAdminPages(ctx, pages);
        this.users = new UserPages(ctx, pages);
    }

    public void routing(HttpRules rules) {
        tenants.routing(rules);
        users.routing(rules);
        rules.get("/nodes", pages.signedIn(this::nodes));
    }

    private void nodes(Visit v) {
        if (!v.principal().readsAllTenants()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "Only platform admins and auditors see gateway nodes.");
        }
        NodeStates.Report report = NodeStates.read(ctx.db().dsl());
        String state = v.query("state");
        List<NodeStates.NodeState> all = state.isEmpty() ? report.nodes()
                : report.nodes().stream().filter(n -> n.state().equals(state)).toList();
        Map<String, Comparator<NodeStates.NodeState>> sorts = new LinkedHashMap<>();
        sorts.put("id", Comparator.comparing(n -> n.node().id()));
        sorts.put("host", Comparator.comparing((NodeStates.NodeState n) -> n.node().host())
                .thenComparing(n -> n.node().id()));
        sorts.put("version", Comparator.comparingLong(n -> n.node().appliedVersion()));
        sorts.put("heartbeat", Comparator.comparing(n -> n.node().lastHeartbeat()));
        Listing<NodeStates.NodeState> listing = Listing.of(v, "/nodes", all,
                (n, q) -> n.node().id().toLowerCase().contains(q) || n.node().host().toLowerCase().contains(q),
                sorts, "id", Map.of("state", state));
        var model = new HashMap<String, Object>();
        model.put("report", report);
        model.put("listing", listing);
        model.put("state", state);
        v.render("nodes", model);
    }

    static void requirePlatformAdmin(Visit v) {
        if (!v.principal().isPlatformAdmin()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "Only platform admins manage tenants and users.");
        }
    }
}
