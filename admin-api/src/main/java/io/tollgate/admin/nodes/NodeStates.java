package io.tollgate.admin.nodes;

import io.tollgate.db.model.GatewayNode;
import io.tollgate.db.store.ConfigStateStore;
import io.tollgate.db.store.NodeStore;
import org.jooq.DSLContext;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Which config version each gateway node runs, against the current one: "in sync", "behind", or "gone" when it
 * has not sent a heartbeat for {@link #GONE_AFTER}. Shared by {@code GET /nodes} and the console.
 */
public final class NodeStates {
    /** A node silent for longer than this is reported as gone. */
    public static final Duration GONE_AFTER = Duration.ofSeconds(30);

    /** One node and its state. */
    public record NodeState(GatewayNode node, String state) {
    }

    /** The current config version and every node's state, read at one moment. */
    public record Report(long configVersion, List<NodeState> nodes) {
        public Report {
            nodes = List.copyOf(nodes);
        }
    }

    private NodeStates() {
    }

    public static Report read(DSLContext dsl) {
        long current = new ConfigStateStore(dsl).version();
        OffsetDateTime goneBefore = OffsetDateTime.now().minus(GONE_AFTER);
        List<NodeState> nodes = new NodeStore(dsl).all().stream()
                .map(n -> new NodeState(n, n.lastHeartbeat().isBefore(goneBefore) ? "gone"
                        : n.appliedVersion() >= current ? "in sync" : "behind"))
                .toList();
        return new Report(current, nodes);
    }
}
