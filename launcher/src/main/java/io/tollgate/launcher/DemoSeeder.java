package io.tollgate.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Seeds the demo tenant through the admin REST API, the way an operator's script would, so the dev command also
 * exercises the API a new user reads about in the README. Re-runs converge on the same tenant, service and route;
 * each run creates a new API key, because a key's secret is shown only once.
 */
final class DemoSeeder {
    static final String TENANT = "demo";
    static final String SERVICE = "demo-upstream";
    static final String ROUTE = "demo";
    static final String PATH = "/demo";

    private final AdminApiClient api;

    DemoSeeder(AdminApiClient api) {
        this.api = api;
    }

    /** Returns the new API key ({@code tg_<public id>_<secret>}). */
    String seed(String upstreamUrl) {
        return seed(upstreamUrl, List.of());
    }

    /** Also routes the built example Go and Rust services, each under its own path prefix (kept, not stripped). */
    String seed(String upstreamUrl, List<ExampleServices.Running> examples) {
        ensureTenant();
        ensureService(SERVICE, "other", upstreamUrl);
        ensureRoute(ROUTE, SERVICE, PATH, true);
        for (ExampleServices.Running example : examples) {
            ensureService(example.name(), example.language(), example.url());
            ensureRoute(example.name(), example.name(), example.path(), false);
        }
        return createKey();
    }

    private void ensureTenant() {
        ObjectNode plan = Json.mapper().createObjectNode()
                .put("rate_per_second", 100)
                .put("burst", 200)
                .put("quota", 1_000_000)
                .put("quota_period", "month");
        ObjectNode tenant = Json.mapper().createObjectNode().put("slug", TENANT).put("name", "Demo tenant");
        tenant.set("plan", plan);
        // 409: the tenant is left from an earlier run; reuse it.
        AdminApiClient.expect(api.post("/tenants", tenant), "POST /tenants", 201, 409);
    }

    private void ensureService(String name, String language, String upstreamUrl) {
        ObjectNode service = Json.mapper().createObjectNode()
                .put("name", name)
                .put("language", language)
                .put("protocol", "http1")
                .put("connect_timeout_ms", 1_000)
                .put("read_timeout_ms", 5_000)
                .put("retries", 1);
        service.set("targets", targets(upstreamUrl));
        String path = "/tenants/" + TENANT + "/services";
        AdminApiClient.Reply created = AdminApiClient.expect(api.post(path, service), "POST " + path, 201, 409);
        if (created.is(409)) {
            pointExistingServiceAt(name, upstreamUrl);
        }
    }

    /** The service left from an earlier run may target a demo upstream on another port; move it to this one. */
    private void pointExistingServiceAt(String name, String upstreamUrl) {
        String listPath = "/tenants/" + TENANT + "/services?limit=100";
        JsonNode list = AdminApiClient.expect(api.get(listPath), "GET " + listPath, 200).body();
        JsonNode existing = findByName(list, name)
                .orElseThrow(() -> new LaunchException("POST services said " + name + " exists, but the list "
                        + "does not show it: " + list));
        if (upstreamUrl.equals(existing.path("targets").path(0).path("url").asText())
                && existing.path("targets").size() == 1) {
            return;
        }
        String itemPath = "/tenants/" + TENANT + "/services/"
                + URLEncoder.encode(existing.path("id").asText(), StandardCharsets.UTF_8);
        AdminApiClient.Reply current = AdminApiClient.expect(api.get(itemPath), "GET " + itemPath, 200);
        ObjectNode change = Json.mapper().createObjectNode();
        change.set("targets", targets(upstreamUrl));
        AdminApiClient.expect(api.patch(itemPath, change, current.etag()), "PATCH " + itemPath, 200);
    }

    private void ensureRoute(String name, String service, String prefix, boolean strip) {
        ObjectNode route = Json.mapper().createObjectNode()
                .put("name", name)
                .put("service", service)
                .put("strip_prefix", strip)
                .put("auth", "api-key");
        route.putArray("hosts");
        route.putArray("paths").add(prefix);
        route.putArray("methods").add("GET");
        String path = "/tenants/" + TENANT + "/routes";
        // 409: the route is left from an earlier run (it names the service, which ensureService kept current).
        AdminApiClient.expect(api.post(path, route), "POST " + path, 201, 409);
    }

    private String createKey() {
        String path = "/tenants/" + TENANT + "/api-keys";
        ObjectNode request = Json.mapper().createObjectNode().put("name", "dev " + Instant.now());
        JsonNode key = AdminApiClient.expect(api.post(path, request), "POST " + path, 201).body();
        String secret = key.path("key").asText();
        if (!secret.startsWith("tg_")) {
            throw new LaunchException("POST " + path + " returned no key: " + key);
        }
        return secret;
    }

    private static ArrayNode targets(String upstreamUrl) {
        ArrayNode targets = Json.mapper().createArrayNode();
        targets.addObject().put("url", upstreamUrl).put("weight", 1);
        return targets;
    }

    /** Lists are {@code {"<items>": [...], "next_cursor": ...}}; take the one array, whatever it is called. */
    private static Optional<JsonNode> findByName(JsonNode list, String name) {
        JsonNode items = list.isArray() ? list : null;
        for (Iterator<JsonNode> values = list.elements(); items == null && values.hasNext(); ) {
            JsonNode value = values.next();
            if (value.isArray()) {
                items = value;
            }
        }
        if (items == null) {
            return Optional.empty();
        }
        for (JsonNode item : items) {
            if (name.equals(item.path("name").asText())) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }
}
