package io.tollgate.admin.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.keys.ApiKeys;
import io.tollgate.admin.routes.Routes;
import io.tollgate.admin.services.Services;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.admin.tenants.Tenants;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ApiKeyStore;
import io.tollgate.db.store.RouteStore;
import io.tollgate.db.store.ServiceStore;
import io.tollgate.db.store.TenantStore;
import org.jooq.DSLContext;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Export, diff and apply of a tenant's declarative document (see {@link ConfigDocument}).
 *
 * <p>An apply runs every object's write through the domain service that owns it ({@link Services},
 * {@link Routes}, {@link ApiKeys}, {@link Tenants}), so validation, conflicts and RBAC are exactly those of the
 * single-object endpoints; each write runs in a savepoint so one bad object does not hide the errors of the
 * next, and any error rolls the whole apply back. A dry run is the same run in a transaction that is always
 * rolled back. Order inside the transaction: tenant settings, service creates and updates, route deletes
 * (prune), route updates, route creates, service deletes (prune), then API keys — so a route can move to a new
 * service and a path can pass from a deleted route to a new one in one document.
 *
 * <p>Fields an entry leaves out keep their current value on update and take the default on create (the same
 * merge semantics as PATCH); an export writes every field, so an edited export says everything. Objects are
 * matched by name, so renaming one is a delete (with prune) and a create.
 */
public final class DeclarativeConfig {
    private static final Set<String> TOP_FIELDS = Set.of("format", "tenant", "services", "routes", "api_keys");
    private static final Set<String> TENANT_FIELDS = Set.of("slug", "name", "status", "plan");
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private final Database db;
    private final ChangeWriter writer;
    private final Tenants tenants;
    private final Services services;
    private final Routes routes;
    private final ApiKeys keys;

    public DeclarativeConfig(Database db, ChangeWriter writer) {
        this.db = db;
        this.writer = writer;
        this.tenants = new Tenants(db, writer);
        this.services = new Services(db, writer);
        this.routes = new Routes(db, writer);
        this.keys = new ApiKeys(db, writer);
    }

    /** A document and its ETag. */
    public record Exported(ObjectNode document, String etag) {
    }

    /** How to apply: {@code ifMatch} is the If-Match header, when sent. */
    public record Options(boolean dryRun, boolean prune, Optional<String> ifMatch) {
    }

    /** The plan (and, when applied, its outcome) as the response body; {@code etag} is the document's after it. */
    public record Result(ObjectNode body, String etag, boolean changed) {
    }

    public Exported export(Principal principal, String slug) {
        Tenant scoped = TenantScope.forReader(db.dsl(), principal, slug);
        ObjectNode doc = ConfigDocument.consistently(db, tx -> ConfigDocument.read(tx,
                new TenantStore(tx).byId(scoped.id()).orElse(scoped)));
        return new Exported(doc, ConfigDocument.etag(doc));
    }

    /** Every tenant's document, sorted by slug (platform admins only). */
    public Exported exportAll(Principal principal) {
        if (!principal.isPlatformAdmin()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "only platform admins export every tenant");
        }
        ObjectNode doc = ConfigDocument.consistently(db, tx -> {
            ObjectNode all = Json.mapper().createObjectNode();
            all.put("format", ConfigDocument.FORMAT);
            ArrayNode list = all.putArray("tenants");
            new TenantStore(tx).all().stream().sorted(Comparator.comparing(Tenant::slug)).forEach(t -> {
                ObjectNode one = ConfigDocument.read(tx, t);
                one.remove("format");
                list.add(one);
            });
            return all;
        });
        return new Exported(doc, ConfigDocument.etag(doc));
    }

    public Result apply(Caller caller, String slug, JsonNode document, Options options) {
        TenantScope.forAdmin(db.dsl(), caller.principal(), slug);
        if (!document.isObject()) {
            throw ProblemException.of(ProblemType.MALFORMED_REQUEST, "the body must be a config document (an object)");
        }
        if (options.dryRun()) {
            return writer.preview(tx -> new Run(tx, caller, slug, (ObjectNode) document, options).execute());
        }
        return writer.writeAll(caller, tx -> {
            Run run = new Run(tx, caller, slug, (ObjectNode) document, options);
            Result result = run.execute();
            return new ChangeWriter.Batch<>(result, run.changes, run.summary);
        });
    }

    /** Whether an If-Match header value names {@code etag} (a list; weak tags compare by value; * matches). */
    static boolean matches(String ifMatch, String etag) {
        for (String candidate : ifMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** Equal as configuration: numbers by value, so 5 and 5L are the same. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(NUMBERS_BY_VALUE, b);
    }

    /** The fields of {@code desired} whose value differs from {@code current}'s. */
    static ObjectNode changed(ObjectNode desired, ObjectNode current) {
        ObjectNode out = Json.mapper().createObjectNode();
        desired.fields().forEachRemaining(e -> {
            if (!same(e.getValue(), current.get(e.getKey()))) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    /** Field-level differences, sorted by field; {@code before} null for a create. */
    static ArrayNode diff(ObjectNode before, ObjectNode after) {
        Set<String> fields = new TreeSet<>();
        if (before != null) {
            before.fieldNames().forEachRemaining(fields::add);
        }
        if (after != null) {
            after.fieldNames().forEachRemaining(fields::add);
        }
        ArrayNode out = Json.mapper().createArrayNode();
        for (String field : fields) {
            JsonNode from = before == null ? null : before.get(field);
            JsonNode to = after == null ? null : after.get(field);
            if (before != null && after != null && same(from, to)) {
                continue;
            }
            ObjectNode entry = out.addObject().put("field", field);
            entry.set("from", from == null ? JsonNodeFactory.instance.nullNode() : from);
            entry.set("to", to == null ? JsonNodeFactory.instance.nullNode() : to);
        }
        return out;
    }

    /** A JSON Pointer for a field as the domain services name it: targets[0].url becomes targets/0/url. */
    static String pointer(String field) {
        return field.replace("[", "/").replace("]", "").replace('.', '/');
    }

    /** Raised inside a savepoint to undo an update that turned out to change nothing. */
    private static final class Unchanged extends RuntimeException {
        Unchanged() {
            super(null, null, false, false);
        }
    }

    /** One entry of a list section, with its document path. */
    private record Entry(String path, ObjectNode object, String name) {
    }

    /** One execution of a document against the database, inside the transaction {@code tx}. */
    private final class Run {
        private final DSLContext tx;
        private final Caller caller;
        private final String slug;
        private final ObjectNode doc;
        private final Options options;
        private final List<Change<?>> changes = new ArrayList<>();
        private final ArrayNode planned = Json.mapper().createArrayNode();
        private final ArrayNode createdKeys = Json.mapper().createArrayNode();
        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private final List<Problem.FieldError> errors = new ArrayList<>();
        private ProblemType failure;
        private Tenant tenant;
        private ConfigDocument.Names names;
        private Change<Void> summary;

        Run(DSLContext tx, Caller caller, String slug, ObjectNode doc, Options options) {
            this.tx = tx;
            this.caller = caller;
            this.slug = slug;
            this.doc = doc;
            this.options = options;
            for (String action : List.of("create", "update", "delete", "revoke")) {
                counts.put(action, 0);
            }
        }

        Result execute() {
            TenantScope.forAdmin(tx, caller.principal(), slug);
            // Locking the tenant row serializes applies to one tenant, so the If-Match check below holds until
            // commit for every other apply; single-object writes are still caught by their row versions.
            tenant = new TenantStore(tx).bySlugForUpdate(slug).orElseThrow();
            String before = ConfigDocument.etag(ConfigDocument.read(tx, tenant));
            if (options.ifMatch().isPresent() && !matches(options.ifMatch().get(), before)) {
                throw ProblemException.of(ProblemType.PRECONDITION_FAILED, "the tenant's configuration changed "
                        + "since that ETag; export or diff again and retry");
            }
            doc.fieldNames().forEachRemaining(field -> {
                if (!TOP_FIELDS.contains(field)) {
                    invalid("/" + field, "is not a known field");
                }
            });
            JsonNode format = doc.get("format");
            if (format != null && !(format.isTextual() && format.asText().equals(ConfigDocument.FORMAT))) {
                invalid("/format", "must be " + ConfigDocument.FORMAT);
            }
            List<Service> storedServices = new ServiceStore(tx).allOf(tenant.id());
            List<Route> storedRoutes = new RouteStore(tx).allOf(tenant.id());
            names = ConfigDocument.Names.of(storedServices, storedRoutes);

            applyTenant(doc.get("tenant"));
            List<Entry> serviceEntries = entries("services", true);
            List<Entry> routeEntries = entries("routes", true);
            List<Entry> keyEntries = entries("api_keys", false);
            Map<String, Service> servicesByName = new HashMap<>();
            storedServices.forEach(s -> servicesByName.put(s.name(), s));
            Map<String, Route> routesByName = new HashMap<>();
            storedRoutes.forEach(r -> routesByName.put(r.name(), r));

            serviceEntries.forEach(e -> applyService(e, servicesByName.get(e.name())));
            Set<String> wantedRoutes = new HashSet<>();
            routeEntries.forEach(e -> wantedRoutes.add(e.name()));
            if (options.prune()) {
                storedRoutes.stream().filter(r -> !wantedRoutes.contains(r.name()))
                        .sorted(Comparator.comparing(Route::name)).forEach(this::deleteRoute);
            }
            routeEntries.stream().filter(e -> routesByName.containsKey(e.name()))
                    .forEach(e -> updateRoute(e, routesByName.get(e.name())));
            routeEntries.stream().filter(e -> !routesByName.containsKey(e.name())).forEach(this::createRoute);
            if (options.prune()) {
                Set<String> wantedServices = new HashSet<>();
                serviceEntries.forEach(e -> wantedServices.add(e.name()));
                storedServices.stream().filter(s -> !wantedServices.contains(s.name()))
                        .sorted(Comparator.comparing(Service::name)).forEach(this::deleteService);
            }
            applyKeys(keyEntries);

            if (!errors.isEmpty()) {
                String detail = errors.size() == 1
                        ? errors.getFirst().field() + ": " + errors.getFirst().message()
                        : errors.size() + " problems in the document; nothing was changed";
                throw new Problem(failure == null ? ProblemType.VALIDATION_FAILED : failure, detail, null, errors,
                        Map.of()).toException();
            }
            String after = ConfigDocument.etag(ConfigDocument.read(tx, tenant));
            boolean changed = !changes.isEmpty();
            ObjectNode outcome = Json.mapper().createObjectNode();
            counts.forEach(outcome::put);
            outcome.put("prune", options.prune());
            summary = new Change<>(null, "config.apply", tenant.id(), "tenant", tenant.id().toString(),
                    Json.mapper().createObjectNode().put("etag", before),
                    outcome.deepCopy().put("etag", after));

            ObjectNode body = Json.mapper().createObjectNode();
            body.put("tenant", slug);
            body.put("dry_run", options.dryRun());
            body.put("prune", options.prune());
            body.put("changed", changed);
            body.put("etag", before);
            body.put("etag_after", after);
            ObjectNode counted = body.putObject("summary");
            counts.forEach(counted::put);
            body.set("changes", planned);
            body.set("created_keys", createdKeys);
            return new Result(body, options.dryRun() ? before : after, changed);
        }

        private void applyTenant(JsonNode node) {
            if (node == null || node.isNull()) {
                return;
            }
            if (!node.isObject()) {
                invalid("/tenant", "must be an object");
                return;
            }
            ObjectNode wanted = ((ObjectNode) node).deepCopy();
            boolean ok = true;
            for (String field : iterable(wanted)) {
                if (!TENANT_FIELDS.contains(field)) {
                    invalid("/tenant/" + field, "is not a known field"
                            + (field.equals("jwt") ? " (JWT settings hold a secret: set them with PATCH /tenants/{slug})" : ""));
                    ok = false;
                }
            }
            JsonNode docSlug = wanted.remove("slug");
            if (docSlug != null && !(docSlug.isTextual() && docSlug.asText().equals(slug))) {
                invalid("/tenant/slug", "must be '" + slug + "', the tenant this document is applied to");
                ok = false;
            }
            ObjectNode current = ConfigDocument.tenant(tenant);
            ObjectNode body = changed(wanted, current);
            if (!ok || body.isEmpty()) {
                return;
            }
            step("/tenant", c -> same(current, ConfigDocument.tenant(c.result())),
                    () -> tenants.update(tx, caller, slug, body, v -> { }))
                    .ifPresent(c -> {
                        tenant = c.result();
                        record("update", "tenant", slug, null, diff(current, ConfigDocument.tenant(c.result())), c);
                    });
        }

        private void applyService(Entry e, Service stored) {
            if (stored == null) {
                step(e.path(), c -> false, () -> services.create(tx, caller, slug, e.object())).ifPresent(c -> {
                    names.service(c.result().id(), c.result().name());
                    record("create", "service", e.name(), null, diff(null, ConfigDocument.service(c.result())), c);
                });
                return;
            }
            ObjectNode current = ConfigDocument.service(stored);
            ObjectNode body = changed(e.object(), current);
            if (body.isEmpty()) {
                return;
            }
            step(e.path(), c -> same(current, ConfigDocument.service(c.result())),
                    () -> services.update(tx, caller, slug, stored.id().toString(), body, v -> { }))
                    .ifPresent(c -> record("update", "service", e.name(), null,
                            diff(current, ConfigDocument.service(c.result())), c));
        }

        private void deleteService(Service stored) {
            step("/services", c -> false, () -> services.delete(tx, caller, slug, stored.id().toString(), v -> { }),
                    "service '" + stored.name() + "' (not in the document): ")
                    .ifPresent(c -> record("delete", "service", stored.name(), null, diff(null, null), c));
        }

        private void deleteRoute(Route stored) {
            step("/routes", c -> false, () -> routes.delete(tx, caller, slug, stored.id().toString(), v -> { }),
                    "route '" + stored.name() + "' (not in the document): ")
                    .ifPresent(c -> record("delete", "route", stored.name(), null, diff(null, null), c));
        }

        private void updateRoute(Entry e, Route stored) {
            ObjectNode current = ConfigDocument.route(stored, names);
            ObjectNode body = changed(e.object(), current);
            if (body.isEmpty()) {
                return;
            }
            step(e.path(), c -> same(current, ConfigDocument.route(c.result(), names)),
                    () -> routes.update(tx, caller, slug, stored.id().toString(), body, v -> { }))
                    .ifPresent(c -> record("update", "route", e.name(), null,
                            diff(current, ConfigDocument.route(c.result(), names)), c));
        }

        private void createRoute(Entry e) {
            step(e.path(), c -> false, () -> routes.create(tx, caller, slug, e.object())).ifPresent(c -> {
                names.route(c.result().id(), c.result().name());
                record("create", "route", e.name(), null, diff(null, ConfigDocument.route(c.result(), names)), c);
            });
        }

        /**
         * Keys match by {@code public_id} when the entry has one, else by name among the active keys (so a
         * document that declares a key by name creates it once and finds it on every later apply).
         */
        private void applyKeys(List<Entry> entries) {
            List<ApiKey> stored = new ApiKeyStore(tx).allOf(tenant.id());
            Set<UUID> matched = new HashSet<>();
            for (Entry e : entries) {
                ObjectNode wanted = e.object();
                JsonNode publicId = wanted.remove("public_id");
                JsonNode revokedNode = wanted.remove("revoked");
                if (revokedNode != null && !revokedNode.isNull() && !revokedNode.isBoolean()) {
                    invalid(e.path() + "/revoked", "must be true or false");
                    continue;
                }
                boolean revoke = revokedNode != null && revokedNode.asBoolean(false);
                ApiKey key;
                if (publicId != null && !publicId.isNull()) {
                    key = stored.stream().filter(k -> k.publicId().equals(publicId.asText())).findFirst().orElse(null);
                    if (key == null) {
                        invalid(e.path() + "/public_id", "no key of this tenant has this public id; leave public_id "
                                + "out to create a new key");
                        continue;
                    }
                } else {
                    List<ApiKey> named = stored.stream()
                            .filter(k -> k.revokedAt() == null && k.name().equals(e.name()) && !matched.contains(k.id()))
                            .toList();
                    if (named.size() > 1) {
                        invalid(e.path() + "/name", named.size() + " active keys have this name; add public_id to "
                                + "say which one");
                        continue;
                    }
                    key = named.isEmpty() ? null : named.getFirst();
                }
                if (key != null && !matched.add(key.id())) {
                    invalid(e.path(), "another entry already names this key");
                    continue;
                }
                if (key == null) {
                    if (revoke) {
                        invalid(e.path() + "/revoked", "a new key cannot start revoked; leave the entry out");
                        continue;
                    }
                    createKey(e, wanted);
                } else if (key.revokedAt() != null) {
                    if (!revoke) {
                        invalid(e.path(), "this key was revoked and cannot be used again; remove the entry (or "
                                + "mark it revoked: true) and declare a new key");
                    }
                } else {
                    updateKey(e, wanted, key, revoke);
                }
            }
            if (options.prune()) {
                stored.stream().filter(k -> k.revokedAt() == null && !matched.contains(k.id()))
                        .sorted(Comparator.comparing(ApiKey::name).thenComparing(ApiKey::publicId))
                        .forEach(k -> step("/api_keys", c -> false,
                                () -> keys.revoke(tx, caller, slug, k.id().toString(), v -> { }),
                                "key '" + k.name() + "' (" + k.publicId() + ", not in the document): ")
                                .ifPresent(c -> record("revoke", "api_key", k.name(), k.publicId(), diff(null, null), c)));
            }
        }

        private void createKey(Entry e, ObjectNode body) {
            step(e.path(), c -> false, () -> keys.create(tx, caller, slug, body)).ifPresent(c -> {
                ApiKey key = c.result().key();
                ObjectNode fields = ConfigDocument.key(key, names);
                fields.remove("public_id");
                // The public id of a dry run's key is thrown away with the transaction, so it is not shown.
                record("create", "api_key", e.name(), options.dryRun() ? null : key.publicId(), diff(null, fields), c);
                if (!options.dryRun()) {
                    createdKeys.addObject().put("name", key.name()).put("public_id", key.publicId())
                            .put("key", c.result().fullKey());
                }
            });
        }

        private void updateKey(Entry e, ObjectNode wanted, ApiKey stored, boolean revoke) {
            ObjectNode current = ConfigDocument.key(stored, names);
            current.remove("public_id");
            ObjectNode body = changed(wanted, current);
            if (!body.isEmpty()) {
                step(e.path(), c -> same(current, withoutPublicId(c.result())),
                        () -> keys.update(tx, caller, slug, stored.id().toString(), body, v -> { }))
                        .ifPresent(c -> record("update", "api_key", e.name(), stored.publicId(),
                                diff(current, withoutPublicId(c.result())), c));
            }
            if (revoke) {
                step(e.path(), c -> false, () -> keys.revoke(tx, caller, slug, stored.id().toString(), v -> { }))
                        .ifPresent(c -> record("revoke", "api_key", e.name(), stored.publicId(), diff(null, null), c));
            }
        }

        private ObjectNode withoutPublicId(ApiKey key) {
            ObjectNode node = ConfigDocument.key(key, names);
            node.remove("public_id");
            return node;
        }

        /** The objects of a list section; entries without a usable name are reported and skipped. */
        private List<Entry> entries(String section, boolean uniqueNames) {
            JsonNode list = doc.get(section);
            if (list == null || list.isNull()) {
                return List.of();
            }
            if (!list.isArray()) {
                invalid("/" + section, "must be a list");
                return List.of();
            }
            List<Entry> out = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                String path = "/" + section + "/" + i;
                JsonNode item = list.get(i);
                if (!item.isObject()) {
                    invalid(path, "must be an object");
                    continue;
                }
                JsonNode name = item.get("name");
                if (name == null || !name.isTextual() || name.asText().isBlank()) {
                    invalid(path + "/name", "is required: objects are matched by name");
                    continue;
                }
                String trimmed = name.asText().strip();
                if (uniqueNames && !seen.add(trimmed)) {
                    invalid(path + "/name", "another entry of " + section + " has this name");
                    continue;
                }
                out.add(new Entry(path, ((ObjectNode) item).deepCopy(), trimmed));
            }
            return out;
        }

        private <T> Optional<Change<T>> step(String path, Predicate<Change<T>> unchanged, Supplier<Change<T>> work) {
            return step(path, unchanged, work, "");
        }

        /**
         * One object's write in a savepoint: empty when it failed (its errors are recorded against
         * {@code path}) or changed nothing after all (undone).
         */
        private <T> Optional<Change<T>> step(String path, Predicate<Change<T>> unchanged, Supplier<Change<T>> work,
                                             String what) {
            try {
                return Optional.of(tx.transactionResult(savepoint -> {
                    Change<T> change = work.get();
                    if (unchanged.test(change)) {
                        throw new Unchanged();
                    }
                    return change;
                }));
            } catch (Unchanged nothing) {
                return Optional.empty();
            } catch (ProblemException e) {
                Problem p = e.problem();
                if (p.type() == ProblemType.PRECONDITION_FAILED) {
                    throw e;
                }
                if (p.type() == ProblemType.VALIDATION_FAILED && !p.errors().isEmpty()) {
                    p.errors().forEach(fe -> errors.add(new Problem.FieldError(path + "/" + pointer(fe.field()),
                            what + fe.message())));
                } else {
                    errors.add(new Problem.FieldError(path, what + (p.detail() == null ? p.type().title() : p.detail())));
                    if (failure == null && p.type() != ProblemType.VALIDATION_FAILED) {
                        failure = p.type();
                    }
                }
                return Optional.empty();
            }
        }

        private void invalid(String path, String message) {
            errors.add(new Problem.FieldError(path, message));
        }

        private void record(String action, String kind, String name, String publicId, ArrayNode fields,
                            Change<?> change) {
            ObjectNode entry = planned.addObject().put("action", action).put("kind", kind).put("name", name);
            if (publicId != null) {
                entry.put("public_id", publicId);
            }
            entry.set("fields", fields);
            changes.add(change);
            counts.merge(action, 1, Integer::sum);
        }

        private static Iterable<String> iterable(ObjectNode node) {
            List<String> fields = new ArrayList<>();
            node.fieldNames().forEachRemaining(fields::add);
            return fields;
        }
    }
}
