package io.tollgate.gateway.resilience;

import io.tollgate.gateway.snapshot.UpstreamPool;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-service and per-target state that must survive config snapshots (a snapshot swap must neither refill a spent
 * retry budget nor forget that a target is ejected), keyed by service id and target URL. One per node, shared by
 * the forwarding step, the active health checker and the metrics.
 */
public final class ServiceGuards {
    /** One target of one service. */
    public record TargetKey(UUID serviceId, String url) {
    }

    private final ConcurrentHashMap<UUID, RetryBudget> budgets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetKey, TargetHealth> targets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TargetKey, String> serviceNames = new ConcurrentHashMap<>();

    public RetryBudget budget(UUID serviceId) {
        return budgets.computeIfAbsent(serviceId, id -> RetryBudget.standard());
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
        budgets.keySet().retainAll(services);
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
        return out.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
