package io.tollgate.admin.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.keys.KeyViews;
import io.tollgate.admin.routes.RouteViews;
import io.tollgate.admin.services.ServiceViews;
import io.tollgate.admin.tenants.TenantViews;
import io.tollgate.common.json.Json;
import io.tollgate.db.Database;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ApiKeyStore;
import io.tollgate.db.store.RouteStore;
import io.tollgate.db.store.ServiceStore;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The declarative document of one tenant: {@code format}, {@code tenant}, {@code services}, {@code routes},
 * {@code api_keys}. Objects are named, never identified by database ids, so a document is portable between
 * databases: routes name their service, keys name their routes, keys carry their public id. Built from the same
 * view code as the REST API minus server-managed fields, so a field added to a view comes along by itself.
 * Object keys are sorted ({@code slug} and {@code name} first), lists are sorted by name, and nothing in it
 * changes unless the configuration does (no timestamps other than a key's expiry), so exports diff cleanly.
 * Secrets never appear: no key secret or hash, no JWT settings (the tenant's HS256 secret is write-only).
 */
public final class ConfigDocument {
    public static final String FORMAT = "tollgate.config/v1";
    /** Fields of the REST views that the server manages, left out of documents. */
    private static final Set<String> SERVER_FIELDS = Set.of("id", "tenant_id", "created_at", "updated_at");
    private static final Set<String> KEY_SERVER_FIELDS = Set.of("status", "revoked_at", "last_used_at");
    private static final Comparator<String> FIELD_ORDER = Comparator.comparingInt(ConfigDocument::rank)
            .thenComparing(Comparator.naturalOrder());

    private ConfigDocument() {
    }

    /** One tenant's whole document, read in {@code dsl} (use a consistent read or the apply's transaction). */
    public static ObjectNode read(DSLContext dsl, Tenant tenant) {
        List<Service> services = new ServiceStore(dsl).allOf(tenant.id());
        List<Route> routes = new RouteStore(dsl).allOf(tenant.id());
        List<ApiKey> keys = new ApiKeyStore(dsl).allOf(tenant.id());
        Names names = Names.of(services, routes);
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("format", FORMAT);
        doc.set("tenant", tenant(tenant));
        doc.set("services", sortedByName(services.stream().map(ConfigDocument::service).toList()));
        doc.set("routes", sortedByName(routes.stream().map(r -> route(r, names)).toList()));
        // Revoked keys are history, not configuration: they stay in the database and the audit trail only.
        doc.set("api_keys", sortedByName(keys.stream().filter(k -> k.revokedAt() == null)
                .map(k -> key(k, names)).toList()));
        return doc;
    }

    /** Runs {@code work} in one REPEATABLE READ, read-only transaction, so a document is one instant's state. */
    public static <T> T consistently(Database db, Function<DSLContext, T> work) {
        return db.dsl().connectionResult(connection -> {
            boolean autoCommit = connection.getAutoCommit();
            int isolation = connection.getTransactionIsolation();
            boolean readOnly = connection.isReadOnly();
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            connection.setReadOnly(true);
            try {
                T result = work.apply(DSL.using(connection, SQLDialect.POSTGRES, db.dsl().settings()));
                connection.commit();
                return result;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setReadOnly(readOnly);
                connection.setTransactionIsolation(isolation);
                connection.setAutoCommit(autoCommit);
            }
        });
    }

    /** A strong ETag over the document's content: equal documents have equal tags on any database. */
    public static String etag(JsonNode document) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(Json.mapper().writeValueAsString(document).getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode tenant(Tenant t) {
        ObjectNode view = TenantViews.json(t);
        view.remove(List.of("id", "jwt", "created_at", "updated_at"));
        return sorted(view);
    }

    static ObjectNode service(Service s) {
        ObjectNode view = ServiceViews.json(s);
        view.remove(SERVER_FIELDS);
        return sorted(view);
    }

    static ObjectNode route(Route r, Names names) {
        ObjectNode view = RouteViews.json(r);
        view.remove(SERVER_FIELDS);
        view.remove("service_id");
        view.put("service", names.service(r.serviceId()));
        return sorted(view);
    }

    static ObjectNode key(ApiKey k, Names names) {
        ObjectNode view = KeyViews.json(k);
        view.remove(SERVER_FIELDS);
        view.remove(KEY_SERVER_FIELDS);
        if (k.allowedRoutes() != null) {
            ArrayNode routes = view.putArray("allowed_routes");
            // A deleted route's id can stay in a key's list (deleting a route does not edit keys); it allows nothing,
            // so leaving it out says the same and keeps the document appliable on any database.
            k.allowedRoutes().stream().filter(names::hasRoute).map(names::route).sorted().forEach(routes::add);
        }
        return sorted(view);
    }

    /** A copy with object keys in document order at every depth; arrays keep their order. */
    static ObjectNode sorted(ObjectNode node) {
        List<String> fields = new ArrayList<>();
        node.fieldNames().forEachRemaining(fields::add);
        fields.sort(FIELD_ORDER);
        ObjectNode out = Json.mapper().createObjectNode();
        for (String field : fields) {
            out.set(field, sortedValue(node.get(field)));
        }
        return out;
    }

    private static JsonNode sortedValue(JsonNode value) {
        if (value.isObject()) {
            return sorted((ObjectNode) value);
        }
        if (value.isArray()) {
            ArrayNode out = Json.mapper().createArrayNode();
            value.forEach(v -> out.add(sortedValue(v)));
            return out;
        }
        return value;
    }

    private static ArrayNode sortedByName(List<ObjectNode> objects) {
        ArrayNode out = Json.mapper().createArrayNode();
        objects.stream()
                .sorted(Comparator.comparing((ObjectNode o) -> o.path("name").asText())
                        .thenComparing(o -> o.path("public_id").asText()))
                .forEach(out::add);
        return out;
    }

    private static int rank(String field) {
        return switch (field) {
            case "slug" -> 0;
            case "name" -> 1;
            default -> 2;
        };
    }

    /** Names of a tenant's services and routes by id, kept current while an apply creates and deletes them. */
    static final class Names {
        private final Map<UUID, String> services = new HashMap<>();
        private final Map<UUID, String> routes = new HashMap<>();

        static Names of(List<Service> services, List<Route> routes) {
            Names names = new Names();
            services.forEach(s -> names.services.put(s.id(), s.name()));
            routes.forEach(r -> names.routes.put(r.id(), r.name()));
            return names;
        }

        void service(UUID id, String name) {
            services.put(id, name);
        }

        void route(UUID id, String name) {
            routes.put(id, name);
        }

        boolean hasRoute(UUID id) {
            return routes.containsKey(id);
        }

        /** The name, or the id when the object no longer exists. */
        String service(UUID id) {
            return services.getOrDefault(id, id.toString());
        }

        String route(UUID id) {
            return routes.getOrDefault(id, id.toString());
        }
    }
}
