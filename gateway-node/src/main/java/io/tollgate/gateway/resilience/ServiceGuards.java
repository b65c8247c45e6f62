package io.tollgate.gateway.resilience;

import io.tollgate.db.model.GatewayNode;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-service and per-target state that must survive config snapshots (a snapshot swap must neither refill a spent
 * retry budget nor forget that a target is ejected), keyed by service id and target URL. One per node, shared by
 * the forwarding step, the active health checker and the metrics.
 */
public final class ServiceGuards {
    /** One target of one service. */
    public record TargetKey(UUID serviceId, String url) {
    }

    /** A service's retry budget and what became of its retries, for the metrics. */
    private record ServiceState(String name, RetryBudget budget, LongAdder retries, LongAdder budgetExhausted) {
    }

    private final ConcurrentHashMap<UUID, ServiceState> services = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetKey, TargetHealth> targets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetKey, String> serviceNames = new ConcurrentHashMap<>();

    public RetryBudget budget(UUID serviceId) {
        return state(serviceId, "").budget();
    }

    private ServiceState state(UUID serviceId, String name) {
        return services.computeIfAbsent(serviceId, id -> new ServiceState(name, RetryBudget.standard(),
                new LongAdder(), new LongAdder()));
    }

    /**
     * Takes a retry from the service's budget and counts the outcome: a retry sent, or one the budget refused.
     */
    public boolean tryRetry(UpstreamPool pool) {
        ServiceState state = state(pool.serviceId(), pool.serviceName());
        if (state.budget().tryRetry()) {
            state.retries().increment();
            return true;
        }
        state.budgetExhausted().increment();
        return false;
    }

    /** Counts one request to the service in its retry budget. */
    public void recordRequest(UpstreamPool pool) {
        state(pool.serviceId(), pool.serviceName()).budget().recordRequest();
    }

    public TargetHealth health(UpstreamPool pool, UpstreamPool.Target target) {
        TargetKey key = new TargetKey(pool.serviceId(), target.url());
        TargetHealth health = targets.get(key);
        if (health == null) {
            health = targets.computeIfAbsent(key, k -> new TargetHealth());
            serviceNames.putIfAbsent(key, pool.serviceName());
        }
        return health;
    }

    /** Forgets services and targets no longer in the config, so they leave the metrics. */
    public void retain(Set<TargetKey> live) {
        targets.keySet().retainAll(live);
        serviceNames.keySet().retainAll(live);
        Set<UUID> services = new java.util.HashSet<>();
        live.forEach(k -> services.add(k.serviceId()));
        this.services.keySet().retainAll(services);
    }

    /** Every target this node knows, as the heartbeat reports it to the admin ({@code GET /api/v1/nodes}). */
    public List<GatewayNode.Target> report() {
        List<GatewayNode.Target> out = new ArrayList<>();
        targets.forEach((key, h) -> out.add(new GatewayNode.Target(key.serviceId().toString(),
                serviceNames.getOrDefault(key, ""), key.url(), h.healthy(),
                h.circuit().name().toLowerCase(Locale.ROOT).replace('_', '-'), h.ejected(), h.checkedUnhealthy())));
        out.sort(Comparator.comparing(GatewayNode.Target::service).thenComparing(GatewayNode.Target::serviceId)
                .thenComparing(GatewayNode.Target::target));
        return out;
    }

    /** Prometheus text for target health: healthy (1/0) and circuit state (0 closed, 1 open, 2 half-open). */
    public String renderMetrics() {
        Map<String, TargetHealth> sorted = new TreeMap<>();
        targets.forEach((key, health) -> sorted.put("service=\"" + escape(serviceNames.getOrDefault(key, ""))
                + "\",service_id=\"" + key.serviceId() + "\",target=\"" + escape(key.url()) + "\"", health));
        StringBuilder out = new StringBuilder();
        out.append("# HELP tollgate_upstream_target_healthy Whether this node sends requests to the target "
                + "(not ejected, circuit not open, passing active checks).\n");
        out.append("# TYPE tollgate_upstream_target_healthy gauge\n");
        sorted.forEach((labels, h) -> out.append("tollgate_upstream_target_healthy{").append(labels).append("} ")
                .append(h.healthy() ? 1 : 0).append('\n'));
        out.append("# HELP tollgate_upstream_target_circuit Circuit breaker state: 0 closed, 1 open, 2 half-open.\n");
        out.append("# TYPE tollgate_upstream_target_circuit gauge\n");
        sorted.forEach((labels, h) -> out.append("tollgate_upstream_target_circuit{").append(labels).append("} ")
                .append(h.circuit().ordinal()).append('\n'));
        out.append("# HELP tollgate_upstream_target_in_flight Requests in flight to the target from this node.\n");
        out.append("# TYPE tollgate_upstream_target_in_flight gauge\n");
        sorted.forEach((labels, h) -> out.append("tollgate_upstream_target_in_flight{").append(labels).append("} ")
                .append(h.inFlight()).append('\n'));
        Map<String, ServiceState> byService = new TreeMap<>();
        services.forEach((id, state) -> byService.put("service=\"" + escape(state.name()) + "\",service_id=\"" + id
                + "\"", state));
        out.append("# HELP tollgate_upstream_retries_total Retries sent, by service.\n");
        out.append("# TYPE tollgate_upstream_retries_total counter\n");
        byService.forEach((labels, s) -> out.append("tollgate_upstream_retries_total{").append(labels).append("} ")
                .append(s.retries().sum()).append('\n'));
        out.append("# HELP tollgate_upstream_retry_budget_exhausted_total Retries not sent because the service's "
                + "retry budget was spent.\n");
        out.append("# TYPE tollgate_upstream_retry_budget_exhausted_total counter\n");
        byService.forEach((labels, s) -> out.append("tollgate_upstream_retry_budget_exhausted_total{").append(labels)
                .append("} ").append(s.budgetExhausted().sum()).append('\n'));
        return out.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
