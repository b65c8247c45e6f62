package io.tollgate.db.store;

import com.fasterxml.jackson.core.type.TypeReference;
import io.tollgate.db.model.GatewayNode;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;

import static io.tollgate.db.jooq.Tables.GATEWAY_NODES;

/** Gateway node heartbeats. */
public final class NodeStore {
    private static final TypeReference<List<GatewayNode.Target>> TARGETS = new TypeReference<>() { };
    private final DSLContext dsl;

    public NodeStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void heartbeat(String id, String host, long appliedVersion, OffsetDateTime startedAt) {
        heartbeat(id, host, appliedVersion, startedAt, null);
    }

    /** A heartbeat that also reports target health; {@code targets} null keeps what was stored. */
    public void heartbeat(String id, String host, long appliedVersion, OffsetDateTime startedAt,
                          List<GatewayNode.Target> targets) {
        OffsetDateTime now = OffsetDateTime.now();
        JSONB health = targets == null ? null : JsonColumns.of(targets);
        dsl.insertInto(GATEWAY_NODES)
                .set(GATEWAY_NODES.ID, id)
                .set(GATEWAY_NODES.HOST, host)
                .set(GATEWAY_NODES.APPLIED_VERSION, appliedVersion)
                .set(GATEWAY_NODES.STARTED_AT, startedAt)
                .set(GATEWAY_NODES.LAST_HEARTBEAT, now)
                .set(GATEWAY_NODES.TARGET_HEALTH, health)
                .onConflict(GATEWAY_NODES.ID)
                .doUpdate()
                .set(GATEWAY_NODES.HOST, host)
                .set(GATEWAY_NODES.APPLIED_VERSION, appliedVersion)
                .set(GATEWAY_NODES.STARTED_AT, startedAt)
                .set(GATEWAY_NODES.LAST_HEARTBEAT, now)
                .set(GATEWAY_NODES.TARGET_HEALTH, targets == null ? GATEWAY_NODES.TARGET_HEALTH : DSL.val(health))
                .execute();
    }

    public List<GatewayNode> all() {
        return dsl.selectFrom(GATEWAY_NODES).orderBy(GATEWAY_NODES.ID)
                .fetch(r -> new GatewayNode(r.getId(), r.getHost(), r.getAppliedVersion(), r.getStartedAt(),
                        r.getLastHeartbeat(), r.getTargetHealth() == null ? List.of()
                        : JsonColumns.read(r.getTargetHealth(), TARGETS)));
    }

    /** Nodes whose last heartbeat is newer than {@code since}: the ones sharing a tenant's limit. */
    public int liveSince(OffsetDateTime since) {
        return dsl.fetchCount(GATEWAY_NODES, GATEWAY_NODES.LAST_HEARTBEAT.gt(since));
    }
}
