package io.tollgate.admin.audit;

import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Input;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.AuditChain;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.AuditVerifier;
import io.tollgate.db.store.TenantStore;

import java.io.Writer;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * What auditors do with the trail: list it, export it (streamed, constant memory), verify its hash chain, and
 * prune it past the retention period leaving a checkpoint. Exports are themselves audited.
 */
public final class AuditTrail {
    /** The filters an auditor asks for, before tenant scoping. */
    public record Query(String tenantSlug, OffsetDateTime from, OffsetDateTime to, String actor, String action,
                        String target) {
    }

    private final Database db;
    private final ChangeWriter writer;

    public AuditTrail(Database db, ChangeWriter writer) {
        this.db = db;
        this.writer = writer;
    }

    /**
     * Turns a query into a store filter the principal may run: an auditor of one tenant always gets that tenant
     * only; asking for another tenant is refused.
     */
    public AuditStore.Filter scope(Principal principal, Query q) {
        if (!principal.isAuditor()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "only auditors and platform admins read the audit trail");
        }
        UUID tenantId = null;
        if (q.tenantSlug() != null) {
            Tenant tenant = new TenantStore(db.dsl()).bySlug(q.tenantSlug()).orElse(null);
            if (tenant == null || !principal.audits(tenant.id())) {
                if (!principal.audits(null)) {
                    throw ProblemException.of(ProblemType.FORBIDDEN, "you may not read this tenant's audit trail");
                }
                throw Input.fieldError("tenant", "no tenant with slug '" + q.tenantSlug() + "'");
            }
            tenantId = tenant.id();
        } else if (!principal.audits(null)) {
            List<UUID> own = principal.grants().stream()
                    .filter(g -> g.tenantId() != null && g.role().equals(Principal.AUDITOR))
                    .map(Principal.Grant::tenantId).toList();
            if (own.size() != 1) {
                throw Input.fieldError("tenant", "name the tenant whose trail you want");
            }
            tenantId = own.getFirst();
        }
        if (q.from() != null && q.to() != null && !q.from().isBefore(q.to())) {
            throw Input.fieldError("to", "must be after from");
        }
        return new AuditStore.Filter(tenantId, q.from(), q.to(), q.actor(), q.action(), q.target());
    }

    public List<AuditEvent> page(Principal principal, Query q, Long afterId, int limit) {
        return new AuditStore(db.dsl()).page(scope(principal, q), afterId, limit);
    }

    /** Records the export (who, which range, which format), then streams the events into {@code out}. */
    public long export(Caller caller, Query q, AuditFormats.Format format, Writer out) {
        AuditStore.Filter filter = scope(caller.principal(), q);
        var after = Json.mapper().createObjectNode()
                .put("from", q.from() == null ? null : q.from().toInstant().toString())
                .put("to", q.to() == null ? null : q.to().toInstant().toString())
                .put("tenant", q.tenantSlug())
                .put("format", format.extension());
        writer.record(caller, new Change<>(null, "audit.export", filter.tenantId(), "audit-trail", null, null, after));
        AuditFormats.EventWriter events = new AuditFormats.EventWriter(out, format);
        long n = AuditStore.stream(db, filter, events::write);
        events.finish();
        return n;
    }

    /**
     * Recomputes the chain over the time range (the whole trail when open). The first event must link to the
     * event before it, or to the retention checkpoint, or to the genesis hash.
     */
    public AuditVerifier.Result verify(Principal principal, OffsetDateTime from, OffsetDateTime to) {
        if (!principal.audits(null)) {
            throw ProblemException.of(ProblemType.FORBIDDEN,
                    "verifying the chain reads every tenant's events: it needs a platform-wide auditor");
        }
        return verify(db, from, to);
    }

    public static AuditVerifier.Result verify(Database db, OffsetDateTime from, OffsetDateTime to) {
        AuditStore store = new AuditStore(db.dsl());
        AuditStore.Filter filter = new AuditStore.Filter(null, from, to, null, null, null);
        Optional<Long> firstId = store.firstId(filter);
        if (firstId.isEmpty()) {
            return new AuditVerifier(null).result();
        }
        String anchor = store.hashBefore(firstId.get()).orElseGet(() -> store.latestCheckpoint()
                .map(c -> c.after().get("hash_at_cut").asText()).orElse(AuditChain.GENESIS));
        AuditVerifier verifier = new AuditVerifier(anchor);
        AuditStore.stream(db, filter, verifier::accept);
        return verifier.result();
    }

    /** Deletes events older than {@code cutoff}, leaving a checkpoint event; audited as the checkpoint itself. */
    public static Optional<AuditEvent> prune(Database db, OffsetDateTime cutoff) {
        return Optional.ofNullable(db.transaction(cfg ->
                new AuditStore(org.jooq.impl.DSL.using(cfg)).prune(cutoff).orElse(null)));
    }

    public static com.fasterxml.jackson.databind.node.ObjectNode json(AuditVerifier.Result r) {
        var node = Json.mapper().createObjectNode();
        node.put("ok", r.ok());
        node.put("checked", r.checked());
        node.put("first_id", r.firstId());
        node.put("last_id", r.lastId());
        node.put("anchor", r.anchor());
        r.firstBreak().ifPresentOrElse(b -> node.putObject("first_break").put("event_id", b.eventId())
                .put("problem", b.problem()), () -> node.putNull("first_break"));
        return node;
    }
}
