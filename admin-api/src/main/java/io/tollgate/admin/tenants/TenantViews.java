package io.tollgate.admin.tenants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.Tenant;

/**
 * The JSON shape of a tenant, used by the REST API and as audit before/after. The JWT settings' HS256 secret is
 * never in it, only whether one is set.
 */
public final class TenantViews {
    private TenantViews() {
    }

    public static ObjectNode json(Tenant t) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", t.id().toString());
        node.put("slug", t.slug());
        node.put("name", t.name());
        node.put("status", t.status());
        ObjectNode plan = node.putObject("plan");
        plan.put("rate_per_second", t.plan().ratePerSecond());
        plan.put("burst", t.plan().burst());
        if (t.plan().quota() == null) {
            plan.putNull("quota");
        } else {
            plan.put("quota", t.plan().quota());
        }
        plan.put("quota_period", t.plan().quotaPeriod());
        if (t.jwt() == null) {
            node.putNull("jwt");
        } else {
            ObjectNode jwt = node.putObject("jwt");
            jwt.put("issuer", t.jwt().issuer());
            jwt.put("audience", t.jwt().audience());
            jwt.put("algorithm", t.jwt().algorithm());
            jwt.put("hs256_secret_set", t.jwt().hs256Secret() != null);
            jwt.put("rs256_public_key_pem", t.jwt().rs256PublicKeyPem());
            jwt.put("clock_skew_seconds", t.jwt().clockSkewSeconds());
        }
        node.put("created_at", t.createdAt().toInstant().toString());
        node.put("updated_at", t.updatedAt().toInstant().toString());
        return node;
    }
}
