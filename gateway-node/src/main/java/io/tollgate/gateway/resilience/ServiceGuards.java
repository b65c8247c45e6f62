package io.tollgate.gateway.resilience;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-service state that must survive config snapshots (a snapshot swap must not refill a spent retry budget), keyed
 * by service id. Owned by the forwarding step, one per node.
 */
public final class ServiceGuards {
    private final ConcurrentHashMap<UUID, RetryBudget> budgets = new ConcurrentHashMap<>();

    public RetryBudget budget(UUID serviceId) {
        return budgets.computeIfAbsent(serviceId, id -> RetryBudget.standard());
    }
}
