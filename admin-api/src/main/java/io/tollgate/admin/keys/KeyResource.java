package io.tollgate.admin.keys;

import io.tollgate.admin.AdminContext;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Creates;
import io.tollgate.admin.http.TenantCollection;
import io.tollgate.db.model.ApiKey;

/**
 * {@code /tenants/{slug}/api-keys}. The create response is the only place the full key ever appears; an
 * Idempotency-Key replay answers with the same key id but {@code "key": null}. DELETE revokes.
 */
public final class KeyResource {
    private KeyResource() {
    }

    public static TenantCollection<ApiKey, ApiKeys.Created> create(AdminContext ctx) {
        return new TenantCollection<>(ctx, "api-keys", "id", new ApiKeys(ctx.db(), ctx.writer()),
                new TenantCollection.Shape<>(KeyViews::json, ApiKey::id, ApiKey::rowVersion, (slug, created) ->
                        new Creates.Created(TenantCollection.itemPath(slug, "api-keys", created.key().id()),
                                Api.etag(created.key().rowVersion()),
                                KeyViews.json(created.key()).put("key", created.fullKey()),
                                KeyViews.json(created.key()).putNull("key"))));
    }
}
