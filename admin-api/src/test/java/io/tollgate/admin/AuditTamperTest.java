package io.tollgate.admin;

import io.tollgate.admin.audit.AuditTrail;
import io.tollgate.db.Database;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.AuditVerifier;
import io.tollgate.db.testing.TestDatabase;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A superuser who bypasses the append-only triggers can still change or remove events; verification must find
 * the first broken link. Each test damages a database of its own.
 */
class AuditTamperTest {
    private Database db;
    private final List<Long> ids = new ArrayList<>();

    @BeforeEach
    void chainOfTenEvents() {
        db = Database.open(TestDatabase.fresh(), "tamper");
        for (int i = 0; i < 10; i++) {
            ids.add(append("tenant.update", i));
        }
        assertThat(AuditTrail.verify(db, null, null).ok()).isTrue();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anAlteredRowIsFoundAtThatEvent() throws SQLException {
        asSuperuserWithoutTriggers("update audit_events set after_state = '{\"n\": 999}' where id = " + ids.get(4));
        AuditVerifier.Result result = AuditTrail.verify(db, null, null);
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBreak().orElseThrow().eventId()).isEqualTo(ids.get(4));
        assertThat(result.firstBreak().orElseThrow().problem()).contains("altered");
        assertThat(result.checked()).isEqualTo(4);
    }

    @Test
    void aDeletedRowIsFoundAtTheEventAfterIt() throws SQLException {
        asSuperuserWithoutTriggers("delete from audit_events where id = " + ids.get(6));
        AuditVerifier.Result result = AuditTrail.verify(db, null, null);
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBreak().orElseThrow().eventId()).isEqualTo(ids.get(7));
        assertThat(result.firstBreak().orElseThrow().problem()).contains("removed");
    }

    @Test
    void deletingTheFirstRowsIsFoundToo() throws SQLException {
        asSuperuserWithoutTriggers("delete from audit_events where id <= " + ids.get(1));
        AuditVerifier.Result result = AuditTrail.verify(db, null, null);
        assertThat(result.firstBreak().orElseThrow().eventId()).isEqualTo(ids.get(2));
    }

    @Test
    void retentionPrunesWithACheckpointAndTheRestStillVerifies() {
        OffsetDateTime cutoff = OffsetDateTime.now().plusSeconds(1);
        sleepPast(cutoff);
        ids.add(append("service.create", 10));
        AuditEvent checkpoint = AuditTrail.prune(db, cutoff).orElseThrow();
        assertThat(checkpoint.after().get("pruned_events").asInt()).isEqualTo(10);
        ids.add(append("service.create", 11));
        AuditStore store = new AuditStore(db.dsl());
        assertThat(store.first().orElseThrow().id()).isEqualTo(ids.get(10));
        AuditVerifier.Result result = AuditTrail.verify(db, null, null);
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.checked()).isEqualTo(3);
        assertThat(result.anchor()).isEqualTo(checkpoint.after().get("hash_at_cut").asText());
        assertThat(AuditTrail.prune(db, cutoff)).isEmpty();
    }

    @Test
    void rangeVerificationAnchorsOnTheEventBeforeTheRange() {
        OffsetDateTime from = db.dsl().select(io.tollgate.db.jooq.Tables.AUDIT_EVENTS.OCCURRED_AT)
                .from(io.tollgate.db.jooq.Tables.AUDIT_EVENTS)
                .where(io.tollgate.db.jooq.Tables.AUDIT_EVENTS.ID.eq(ids.get(5))).fetchOne().value1();
        AuditVerifier.Result result = AuditTrail.verify(db, from, null);
        assertThat(result.ok()).isTrue();
        assertThat(result.firstId()).isEqualTo(ids.get(5));
        assertThat(result.checked()).isEqualTo(5);
    }

    @Test
    void batchedAppendsChainInOrderAndVerify() {
        var batch = java.util.stream.IntStream.range(20, 25).mapToObj(n -> new AuditEvent(null, null, "system", null,
                "gateway", null, "gateway.denied", "route", "r" + n, null,
                io.tollgate.common.json.Json.mapper().createObjectNode().put("n", n), null, null, null, null)).toList();
        int written = db.transaction(cfg -> new AuditStore(DSL.using(cfg)).appendAll(batch));
        assertThat(written).isEqualTo(5);
        AuditVerifier.Result result = AuditTrail.verify(db, null, null);
        assertThat(result.ok()).as(result.toString()).isTrue();
        assertThat(result.checked()).isEqualTo(15);
    }

    private long append(String action, int n) {
        return db.transaction(cfg -> new AuditStore(DSL.using(cfg)).append(new AuditEvent(null, null, "system", null,
                "test", null, action, "tenant", "t" + n, null,
                io.tollgate.common.json.Json.mapper().createObjectNode().put("n", n), "10.0.0.1", "r" + n, null, null))
                .id());
    }

    private void asSuperuserWithoutTriggers(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
            s.execute(sql);
            s.execute("set session_replication_role = origin");
        }
    }

    private static void sleepPast(OffsetDateTime t) {
        while (!OffsetDateTime.now().isAfter(t)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
