package io.tollgate.db.store;

import io.tollgate.db.model.GatewayNode;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.List;

import static io.tollgate.db.jooq.Tables.GATEWAY_NODES;

/** Gateway node heartbeats. */
public final class NodeStore {
    private final DSLContext dsl;

    public NodeStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void heartbeat(String id, String host, long appliedVersion, OffsetDateTime startedAt) {
        OffsetDateTime now = OffsetDateTime.now();
        dsl.insertInto(GATEWAY_NODES)
                .set(GATEWAY_NODES.ID, id)
                .set(GATEWAY_NODES.HOST, host)
                .set(GATEWAY_NODES.APPLIED_VERSION, appliedVersion)
                .set(GATEWAY_NODES.STARTED_AT, startedAt)
                .set(GATEWAY_NODES.LAST_HEARTBEAT, now)
                .onConflict(GATEWAY_NODES.ID)
                .doUpdate()
                .set(GATEWAY_NODES.HOST, host)
                .set(GATEWAY_NODES.APPLIED_VERSION, appliedVersion)
                .set(GATEWAY_NODES.STARTED_AT, startedAt)
                .set(GATEWAY_NODES.LAST_HEARTBEAT, now)
                .execute();
    }

    public List<GatewayNode> all() {
        return dsl.selectFrom(GATEWAY_NODES).orderBy(GATEWAY_NODES.ID)
                .fetch(r -> new GatewayNode(r.getId(), r.getHost(), r.getAppliedVersion(), r.getStartedAt(),
                        r.getLastHeartbeat()));
    }

    /** Nodes whose last heartbeat is newer than {@code since}: the ones sharing a tenant's limit. */
    public int liveSince(OffsetDateTime since) {
        return dsl.fetchCount(GATEWAY_NODES, GATEWAY_NODES.LAST_HEARTBEAT.gt(since));
    }
}
