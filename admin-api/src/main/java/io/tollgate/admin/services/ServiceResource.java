package io.tollgate.admin.services;

import io.tollgate.admin.AdminContext;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Creates;
import io.tollgate.admin.http.TenantCollection;
import io.tollgate.db.model.Service;

/** {@code /tenants/{slug}/services}: upstream services, addressed by id or name. */
public final class ServiceResource {
    private ServiceResource() {
    }

    public static TenantCollection<Service, Service> create(AdminContext ctx) {
        return new TenantCollection<>(ctx, "services", "ref", new Services(ctx.db(), ctx.writer()),
                new TenantCollection.Shape<>(ServiceViews::json, Service::id, Service::rowVersion,
                        (slug, s) -> Creates.Created.of(TenantCollection.itemPath(slug, "services", s.id()),
                                Api.etag(s.rowVersion()), ServiceViews.json(s))));
    }
}
