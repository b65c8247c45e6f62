package io.tollgate.db.snapshot;

import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;

import java.util.List;

/**
 * Everything a gateway node needs, as of one config version. Plain rows, no compiled structure: it is also the
 * form a node keeps on disk, so a newer node can always recompile what an older one saved.
 */
public record ConfigSnapshot(long version, List<Tenant> tenants, List<Service> services, List<Route> routes,
                             List<ApiKey> apiKeys) {

    public ConfigSnapshot {
        tenants = List.copyOf(tenants);
        services = List.copyOf(services);
        routes = List.copyOf(routes);
        apiKeys = List.copyOf(apiKeys);
    }
}
