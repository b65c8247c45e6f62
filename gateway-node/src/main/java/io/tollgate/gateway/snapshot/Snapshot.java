package io.tollgate.gateway.snapshot;

import io.tollgate.gateway.route.RouteMatcher;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One compiled, immutable config version. Built whole by {@link SnapshotCompiler}, published by one reference
 * swap; a request holds the snapshot it started with until it ends.
 */
public record Snapshot(long version, RouteMatcher routes, Map<String, KeySpec> keysByPublicId,
                       Map<UUID, TenantPlan> tenants, List<UpstreamPool> pools) {

    public Snapshot {
        keysByPublicId = Map.copyOf(keysByPublicId);
        tenants = Map.copyOf(tenants);
        pools = List.copyOf(pools);
    }

    public Snapshot(long version, RouteMatcher routes, Map<String, KeySpec> keysByPublicId,
                    Map<UUID, TenantPlan> tenants) {
        this(version, routes, keysByPublicId, tenants, List.of());
    }
}
