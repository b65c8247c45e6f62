package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * Empty hosts match any host; empty methods match any method. {@code passCredential}: the gateway forwards the
 * client's credential instead of removing it. {@code internalHeaders}: lower-case names of upstream response
 * headers the gateway removes (null reads as none, for snapshot files written before the field existed).
 */
public record Route(UUID id, UUID tenantId, UUID serviceId, String name, List<String> hosts, List<String> paths,
                    List<String> methods, boolean stripPrefix, String auth, Integer ratePerSecond, Integer burst,
                    Long maxBodyBytes, boolean passCredential, List<String> internalHeaders, int rowVersion,
                    OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    public Route {
        hosts = List.copyOf(hosts);
        paths = List.copyOf(paths);
        methods = List.copyOf(methods);
        internalHeaders = internalHeaders == null ? List.of() : List.copyOf(internalHeaders);
    }
}
