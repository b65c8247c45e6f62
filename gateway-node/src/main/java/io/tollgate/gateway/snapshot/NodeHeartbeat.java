package io.tollgate.gateway.snapshot;

import io.tollgate.db.model.GatewayNode;
import io.tollgate.db.store.NodeStore;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * Every few seconds: record this node's id, host and applied config version in {@code gateway_nodes}, and count
 * the nodes heard from recently (they share each rate limit). A failed beat is logged at debug and retried on
 * the next tick; the poller already reports an unreachable database.
 */
public final class NodeHeartbeat implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NodeHeartbeat.class.getName());

    private final NodeStore store;
    private final String nodeId;
    private final String host;
    private final SnapshotHolder holder;
    private final Duration interval;
    private final Duration liveWindow;
    private final IntConsumer liveNodes;
    private final Supplier<List<GatewayNode.Target>> targets;
    private final OffsetDateTime startedAt = OffsetDateTime.now();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-heartbeat").unstarted(runnable));

    public NodeHeartbeat(NodeStore store, String nodeId, String host, SnapshotHolder holder, Duration interval,
                         Duration liveWindow, IntConsumer liveNodes) {
        this(store, nodeId, host, holder, interval, liveWindow, liveNodes, () -> null);
    }

    /** @param targets what the node knows of its upstream targets, reported with each beat */
    public NodeHeartbeat(NodeStore store, String nodeId, String host, SnapshotHolder holder, Duration interval,
                         Duration liveWindow, IntConsumer liveNodes, Supplier<List<GatewayNode.Target>> targets) {
        this.targets = targets;
        this.store = store;
        this.nodeId = nodeId;
        this.host = host;
        this.holder = holder;
        this.interval = interval;
        this.liveWindow = liveWindow;
        this.liveNodes = liveNodes;
    }

    public void start() {
        timer.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            if (holder.current() != null) {
                store.heartbeat(nodeId, host, holder.version(), startedAt, targets.get());
            }
            liveNodes.accept(store.liveSince(OffsetDateTime.now().minus(liveWindow)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "heartbeat failed: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
