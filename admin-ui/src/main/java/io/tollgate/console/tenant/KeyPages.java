package io.tollgate.console.tenant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.keys.ApiKeys;
import io.tollgate.admin.keys.KeyViews;
import io.tollgate.admin.routes.Routes;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.console.web.Display;
import io.tollgate.console.web.Form;
import io.tollgate.console.web.Listing;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.ApiKey;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.IdempotencyStore;
import org.jooq.exception.DataAccessException;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A tenant's API keys. A new key's full text is in the response to the POST that created it and nowhere else:
 * not in a redirect, not in the database, not in the audit trail. The create form carries a one-time form id
 * used as an idempotency key, so submitting the same form again (reload, back button) creates nothing and says
 * the key was already shown.
 */
final class KeyPages {
    private static final Pattern FORM_ID = Pattern.compile("[0-9a-f-]{36}");
    private static final String[] FIELDS = {"name", "expires_at", "rate_per_second", "burst", "quota", "version"};

    private final AdminContext ctx;
    private final Pages pages;
    private final ApiKeys keys;
    private final Routes routes;

    KeyPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.keys = new ApiKeys(ctx.db(), ctx.writer());
        this.routes = new Routes(ctx.db(), ctx.writer());
    }

    void routing(HttpRules rules) {
        rules.get("/t/{slug}/keys", pages.signedIn(this::list))
                .post("/t/{slug}/keys", pages.signedIn(this::create))
                .get("/t/{slug}/keys/new", pages.signedIn(this::createForm))
                .get("/t/{slug}/keys/{id}", pages.signedIn(this::detail))
                .post("/t/{slug}/keys/{id}", pages.signedIn(this::update))
                .post("/t/{slug}/keys/{id}/revoke", pages.signedIn(this::revoke))
                .post("/t/{slug}/keys/{id}/rotate", pages.signedIn(this::rotate));
    }

    /** How a key is doing now. */
    public static String status(ApiKey k) {
        if (k.revokedAt() != null) {
            return "revoked";
        }
        if (k.expiresAt() != null && !k.expiresAt().isAfter(OffsetDateTime.now())) {
            return "expired";
        }
        return "active";
    }

    private void list(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        List<ApiKey> all = keys.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS);
        String status = v.query("status");
        if (!status.isEmpty()) {
            all = all.stream().filter(k -> status(k).equals(status)).toList();
        }
        Map<String, Comparator<ApiKey>> sorts = new LinkedHashMap<>();
        sorts.put("created", Comparator.comparing(ApiKey::createdAt));
        sorts.put("name", Comparator.comparing((ApiKey k) -> k.name() == null ? "" : k.name(),
                String.CASE_INSENSITIVE_ORDER));
        sorts.put("expires", Comparator.comparing(ApiKey::expiresAt, Comparator.nullsLast(Comparator.naturalOrder())));
        sorts.put("used", Comparator.comparing(ApiKey::lastUsedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        Listing<ApiKey> listing = Listing.of(v, "/t/" + tenant.slug() + "/keys", all,
                (k, q) -> (k.name() != null && k.name().toLowerCase().contains(q)) || k.publicId().contains(q),
                sorts, "created", Map.of("status", status));
        var model = TenantPages.model(v, tenant, "keys");
        model.put("listing", listing);
        model.put("status", status);
        model.put("statusOf", new StatusOf());
        v.render("keys", model);
    }

    /** Lets templates ask a key's status: {@code ${statusOf.of(k)}}. */
    public static final class StatusOf {
        public String of(ApiKey k) {
            return status(k);
        }
    }

    private void createForm(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        showForm(v, tenant, Map.of("form_id", UUID.randomUUID().toString()), List.of(), Map.of(), null, Status.OK_200);
    }

    private void showForm(Visit v, Tenant tenant, Map<String, String> form, List<String> allowed,
                          Map<String, String> errors, String failure, Status status) {
        var model = TenantPages.model(v, tenant, "keys");
        model.put("form", form);
        model.put("routes", routeChoices(v, tenant));
        model.put("allowed", allowed);
        model.put("errors", errors);
        model.put("failure", failure);
        v.render(status, "key-form", model);
    }

    private List<Route> routeChoices(Visit v, Tenant tenant) {
        return routes.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS).stream()
                .sorted(Comparator.comparing(Route::name)).toList();
    }

    private void create(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        String formId = v.form().text("form_id");
        ObjectNode body = body(v.form(), null);
        Optional<ApiKeys.Created> created;
        try {
            created = createOnce(v, tenant, formId, body);
        } catch (ProblemException e) {
            if (Pages.isValidation(e)) {
                Map<String, String> typed = new LinkedHashMap<>(v.form().echo(FIELDS));
                typed.put("form_id", formId);
                showForm(v, tenant, typed, v.form().all("allowed_routes"), Pages.fieldErrors(e),
                        "Some fields need attention.", Status.BAD_REQUEST_400);
                return;
            }
            throw e;
        }
        showCreated(v, tenant, created, "key-created");
    }

    /** Creates the key, unless this form was submitted before: then empty, and nothing is created. */
    private Optional<ApiKeys.Created> createOnce(Visit v, Tenant tenant, String formId, ObjectNode body) {
        var caller = v.caller();
        if (!FORM_ID.matcher(formId).matches()) {
            return Optional.of(ctx.writer().write(caller, tx -> keys.create(tx, caller, tenant.slug(), body)));
        }
        String principal = caller.principal().actorType() + ":" + caller.principal().id();
        String key = "console-key-form:" + formId;
        String path = "/t/" + tenant.slug() + "/keys";
        if (new IdempotencyStore(ctx.db().dsl()).find(principal, key).isPresent()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ctx.writer().write(caller, tx -> keys.create(tx, caller, tenant.slug(), body),
                    new ChangeWriter.Replay(principal, key, "POST", path, formId),
                    c -> new IdempotencyStore.Stored("POST", path, formId, 201, path + "/" + c.key().id(), null,
                            KeyViews.json(c.key()).putNull("key").toString())));
        } catch (DataAccessException e) {
            if (new IdempotencyStore(ctx.db().dsl()).find(principal, key).isPresent()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private void showCreated(Visit v, Tenant tenant, Optional<ApiKeys.Created> created, String template) {
        var model = TenantPages.model(v, tenant, "keys");
        model.put("created", created.map(ApiKeys.Created::key).orElse(null));
        model.put("fullKey", created.map(ApiKeys.Created::fullKey).orElse(null));
        v.render(created.isPresent() ? Status.CREATED_201 : Status.OK_200, template, model);
    }

    private void detail(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        ApiKey k = keys.get(v.principal(), tenant.slug(), v.path("id"));
        showDetail(v, tenant, k, values(k), allowedRefs(k), Map.of(), null, Status.OK_200);
    }

    private void showDetail(Visit v, Tenant tenant, ApiKey k, Map<String, String> form, List<String> allowed,
                            Map<String, String> errors, String failure, Status status) {
        var model = TenantPages.model(v, tenant, "keys");
        model.put("key", k);
        model.put("pageTitle", "API key " + k.name());
        model.put("keyStatus", status(k));
        model.put("form", form);
        model.put("routes", routeChoices(v, tenant));
        model.put("allowed", allowed);
        model.put("errors", errors);
        model.put("failure", failure);
        model.put("rotateFormId", UUID.randomUUID().toString());
        v.render(status, "key-detail", model);
    }

    private void update(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        ApiKey current = keys.get(v.principal(), tenant.slug(), v.path("id"));
        try {
            keys.update(v.caller(), tenant.slug(), current.id().toString(), body(v.form(), current),
                    v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            Map<String, String> typed = v.form().echo(FIELDS);
            if (Pages.isValidation(e)) {
                showDetail(v, tenant, current, typed, v.form().all("allowed_routes"), Pages.fieldErrors(e),
                        "Some fields need attention.", Status.BAD_REQUEST_400);
            } else if (Pages.isStale(e) || e.problem().type() == io.tollgate.common.problem.ProblemType.CONFLICT) {
                showDetail(v, tenant, current, typed, v.form().all("allowed_routes"), Map.of(),
                        ServicePages.failure(e), Status.create(e.problem().status()));
            } else {
                throw e;
            }
            return;
        }
        v.redirect("/t/" + tenant.slug() + "/keys/" + current.id() + "?done=key-saved");
    }

    private void revoke(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        ApiKey current = keys.get(v.principal(), tenant.slug(), v.path("id"));
        try {
            keys.revoke(v.caller(), tenant.slug(), current.id().toString(), v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            showDetail(v, tenant, current, values(current), allowedRefs(current), Map.of(), ServicePages.failure(e),
                    Status.create(e.problem().status()));
            return;
        }
        v.redirect("/t/" + tenant.slug() + "/keys?done=key-revoked");
    }

    /**
     * Rotation: the old key keeps working for the overlap window (its expiry moves to now + overlap, or it is
     * revoked at once with no overlap), and a new key with the same name, routes and limits is created and shown
     * once. Two changes, two audit events; the old key is changed first, so a stale form creates nothing.
     */
    private void rotate(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        ApiKey current = keys.get(v.principal(), tenant.slug(), v.path("id"));
        String hours = v.form().text("overlap_hours");
        int overlap;
        try {
            overlap = Integer.parseInt(hours);
            if (overlap < 0 || overlap > 720) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            showDetail(v, tenant, current, values(current), allowedRefs(current),
                    Map.of("overlap_hours", "must be a whole number of hours from 0 to 720"),
                    "Some fields need attention.", Status.BAD_REQUEST_400);
            return;
        }
        String formId = v.form().text("form_id");
        if (!"active".equals(status(current))) {
            showDetail(v, tenant, current, values(current), allowedRefs(current), Map.of(),
                    "Only an active key can be rotated; create a new key instead.", Status.CONFLICT_409);
            return;
        }
        OffsetDateTime until = OffsetDateTime.now(ZoneOffset.UTC).plusHours(overlap);
        try {
            if (overlap == 0) {
                keys.revoke(v.caller(), tenant.slug(), current.id().toString(), v.ifMatch(v.form().text("version")));
            } else {
                OffsetDateTime expiry = current.expiresAt() != null && current.expiresAt().isBefore(until)
                        ? current.expiresAt() : until;
                ObjectNode change = Json.mapper().createObjectNode().put("expires_at", expiry.toInstant().toString());
                keys.update(v.caller(), tenant.slug(), current.id().toString(), change,
                        v.ifMatch(v.form().text("version")));
            }
        } catch (ProblemException e) {
            showDetail(v, tenant, current, values(current), allowedRefs(current), Map.of(), ServicePages.failure(e),
                    Status.create(e.problem().status()));
            return;
        }
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("name", current.name());
        if (current.allowedRoutes() != null) {
            var allowed = body.putArray("allowed_routes");
            current.allowedRoutes().forEach(id -> allowed.add(id.toString()));
        }
        if (current.ratePerSecond() != null) {
            body.put("rate_per_second", current.ratePerSecond());
        }
        if (current.burst() != null) {
            body.put("burst", current.burst());
        }
        if (current.quota() != null) {
            body.put("quota", current.quota());
        }
        if (current.expiresAt() != null && current.expiresAt().isAfter(OffsetDateTime.now())) {
            body.put("expires_at", current.expiresAt().toInstant().toString());
        }
        showCreated(v, tenant, createOnce(v, tenant, formId, body), "key-created");
    }

    private static Map<String, String> values(ApiKey k) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", k.name() == null ? "" : k.name());
        form.put("expires_at", Display.INSTANCE.input(k.expiresAt()));
        form.put("rate_per_second", k.ratePerSecond() == null ? "" : k.ratePerSecond().toString());
        form.put("burst", k.burst() == null ? "" : k.burst().toString());
        form.put("quota", k.quota() == null ? "" : k.quota().toString());
        form.put("version", Integer.toString(k.rowVersion()));
        return form;
    }

    private static List<String> allowedRefs(ApiKey k) {
        return k.allowedRoutes() == null ? List.of() : k.allowedRoutes().stream().map(UUID::toString).toList();
    }

    /**
     * No route ticked means every route of the tenant (allowed_routes null). On an edit ({@code current} set)
     * the expiry is sent only when it was changed, so renaming an expired key does not re-check its old expiry.
     */
    static ObjectNode body(Form f, ApiKey current) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("name", f.text("name"));
        String expires = Display.rfc3339(f.text("expires_at"));
        boolean unchanged = current != null && f.text("expires_at").equals(Display.INSTANCE.input(current.expiresAt()));
        if (unchanged) {
            // leave the expiry as it is
        } else if (expires != null) {
            body.put("expires_at", expires);
        } else if (current != null) {
            body.putNull("expires_at");
        }
        List<String> allowed = f.all("allowed_routes");
        if (allowed.isEmpty()) {
            body.putNull("allowed_routes");
        } else {
            var array = body.putArray("allowed_routes");
            allowed.forEach(array::add);
        }
        Visit.putNumber(body, "rate_per_second", f.text("rate_per_second"));
        Visit.putNumber(body, "burst", f.text("burst"));
        Visit.putNumber(body, "quota", f.text("quota"));
        return body;
    }
}
