package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Empty hosts match any host; empty methods match any method. */
public record Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                    List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                    Long maxBodyBytes, int rowVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                    Integer deadlineMs) {

    public Route {
        hosts = List.copyOf(hosts);
        paths = List.copyOf(paths);
        methods = List.copyOf(methods);
    }

    /** A route without a total deadline ({@code deadlineMs} null). */
    public Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                 List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                 Long maxBodyBytes, int rowVersion, OffsetDateTime createdAt, OffsetDateTime updatedAt) {
        this(id, tenantId, serviceId, name, hosts, paths, methods, stripPrefix, auth, ratePerSecond, burst,
                maxBodyBytes, rowVersion, createdAt, updatedAt, null);
    }
}
