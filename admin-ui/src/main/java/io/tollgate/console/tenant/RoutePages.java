package io.tollgate.console.tenant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.routes.Routes;
import io.tollgate.admin.services.Services;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Form;
import io.tollgate.console.web.Listing;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;

import java.net.URI;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** A tenant's routes: list, create, edit, delete, and "try this route". */
final class RoutePages {
    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final String[] FIELDS = {"name", "service", "hosts", "paths", "auth", "rate_per_second", "burst",
            "max_body_bytes", "version", "deadline_ms", "cache_enabled", "cache_ttl_seconds", "cache_per_consumer",
            "cache_stale_if_error_seconds"};

    private final AdminContext ctx;
    private final Pages pages;
    private final Routes routes;
    private final Services services;
    private final TryRoute tryRoute;

    RoutePages(AdminContext ctx, Pages pages, URI gatewayUrl) {
        this.ctx = ctx;
        this.pages = pages;
        this.routes = new Routes(ctx.db(), ctx.writer());
        this.services = new Services(ctx.db(), ctx.writer());
        this.tryRoute = new TryRoute(ctx, routes, gatewayUrl);
    }

    void routing(HttpRules rules) {
        rules.get("/t/{slug}/routes", pages.signedIn(this::list))
                .post("/t/{slug}/routes", pages.signedIn(this::create))
                .get("/t/{slug}/routes/new", pages.signedIn(this::createForm))
                .get("/t/{slug}/routes/{ref}", pages.signedIn(this::editForm))
                .post("/t/{slug}/routes/{ref}", pages.signedIn(this::update))
                .post("/t/{slug}/routes/{ref}/delete", pages.signedIn(this::delete))
                .post("/t/{slug}/routes/{ref}/purge-cache", pages.signedIn(this::purgeCache))
                .get("/t/{slug}/routes/{ref}/try", pages.signedIn(tryRoute::form))
                .post("/t/{slug}/routes/{ref}/try", pages.signedIn(tryRoute::send));
    }

    private void list(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        List<Route> all = routes.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS);
        Map<UUID, String> serviceNames = serviceNames(v, tenant);
        Map<String, Comparator<Route>> sorts = new LinkedHashMap<>();
        sorts.put("name", Comparator.comparing(Route::name, String.CASE_INSENSITIVE_ORDER));
        sorts.put("path", Comparator.comparing((Route r) -> r.paths().getFirst()));
        sorts.put("service", Comparator.comparing((Route r) -> serviceNames.getOrDefault(r.serviceId(), "")));
        sorts.put("updated", Comparator.comparing(Route::updatedAt));
        Listing<Route> listing = Listing.of(v, "/t/" + tenant.slug() + "/routes", all,
                (r, q) -> r.name().toLowerCase().contains(q) || r.paths().stream().anyMatch(p -> p.toLowerCase().contains(q))
                        || r.hosts().stream().anyMatch(h -> h.contains(q)) || r.auth().equals(q)
                        || serviceNames.getOrDefault(r.serviceId(), "").toLowerCase().contains(q),
                sorts, "name", Map.of());
        var model = TenantPages.model(v, tenant, "routes");
        model.put("listing", listing);
        model.put("serviceNames", serviceNames);
        model.put("hasServices", !serviceNames.isEmpty());
        v.render("routes", model);
    }

    private Map<UUID, String> serviceNames(Visit v, Tenant tenant) {
        return services.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS).stream()
                .collect(Collectors.toMap(Service::id, Service::name));
    }

    private void createForm(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("auth", "api-key");
        form.put("service", v.query("service"));
        form.put("cache_ttl_seconds", Integer.toString(Route.Cache.OFF.ttlSeconds()));
        form.put("cache_stale_if_error_seconds", Integer.toString(Route.Cache.OFF.staleIfErrorSeconds()));
        showForm(v, tenant, null, form, List.of("GET"), false, Map.of(), null, Status.OK_200);
    }

    private void create(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        ObjectNode body = body(v.form());
        try {
            ctx.writer().write(v.caller(), tx -> routes.create(tx, v.caller(), tenant.slug(), body));
        } catch (ProblemException e) {
            formProblem(v, tenant, null, e);
            return;
        }
        v.redirect("/t/" + tenant.slug() + "/routes?done=route-created");
    }

    private void editForm(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        Route r = routes.get(v.principal(), tenant.slug(), v.path("ref"));
        showForm(v, tenant, r, values(v, tenant, r), r.methods(), r.stripPrefix(), Map.of(), null, Status.OK_200);
    }

    private void update(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Route current = routes.get(v.principal(), tenant.slug(), v.path("ref"));
        try {
            routes.update(v.caller(), tenant.slug(), current.id().toString(), body(v.form()),
                    v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            formProblem(v, tenant, current, e);
            return;
        }
        v.redirect("/t/" + tenant.slug() + "/routes?done=route-saved");
    }

    private void delete(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Route current = routes.get(v.principal(), tenant.slug(), v.path("ref"));
        try {
            routes.delete(v.caller(), tenant.slug(), current.id().toString(), v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            if (Pages.isStale(e)) {
                showForm(v, tenant, current, values(v, tenant, current), current.methods(), current.stripPrefix(),
                        Map.of(), ServicePages.failure(e), Status.PRECONDITION_FAILED_412);
                return;
            }
            throw e;
        }
        v.redirect("/t/" + tenant.slug() + "/routes?done=route-deleted");
    }

    private void purgeCache(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Route current = routes.get(v.principal(), tenant.slug(), v.path("ref"));
        routes.purgeCache(v.caller(), tenant.slug(), current.id().toString());
        v.redirect("/t/" + tenant.slug() + "/routes?done=route-cache-purged");
    }

    private void formProblem(Visit v, Tenant tenant, Route current, ProblemException e) {
        Map<String, String> typed = v.form().echo(FIELDS);
        List<String> methods = v.form().all("methods");
        boolean strip = v.form().checked("strip_prefix");
        if (Pages.isValidation(e)) {
            showForm(v, tenant, current, typed, methods, strip, Pages.fieldErrors(e), "Some fields need attention.",
                    Status.BAD_REQUEST_400);
        } else if (Pages.isStale(e) || e.problem().type() == ProblemType.CONFLICT) {
            showForm(v, tenant, current, typed, methods, strip, Map.of(), ServicePages.failure(e),
                    Status.create(e.problem().status()));
        } else {
            throw e;
        }
    }

    private void showForm(Visit v, Tenant tenant, Route current, Map<String, String> form, List<String> methods,
                          boolean strip, Map<String, String> errors, String failure, Status status) {
        var model = TenantPages.model(v, tenant, "routes");
        model.put("route", current);
        model.put("pageTitle", current == null ? "New route" : "Route " + current.name());
        model.put("form", form);
        model.put("methods", METHODS);
        model.put("checkedMethods", methods);
        model.put("strip", strip);
        model.put("services", services.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS).stream()
                .map(Service::name).sorted().toList());
        model.put("errors", errors);
        model.put("failure", failure);
        v.render(status, "route-form", model);
    }

    private Map<String, String> values(Visit v, Tenant tenant, Route r) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", r.name());
        form.put("service", serviceNames(v, tenant).getOrDefault(r.serviceId(), ""));
        form.put("hosts", String.join(" ", r.hosts()));
        form.put("paths", String.join(" ", r.paths()));
        form.put("auth", r.auth());
        form.put("rate_per_second", text(r.ratePerSecond()));
        form.put("burst", text(r.burst()));
        form.put("max_body_bytes", text(r.maxBodyBytes()));
        form.put("version", Integer.toString(r.rowVersion()));
        form.put("deadline_ms", text(r.deadlineMs()));
        form.put("cache_enabled", r.cache().enabled() ? "on" : "");
        form.put("cache_ttl_seconds", Integer.toString(r.cache().ttlSeconds()));
        form.put("cache_per_consumer", r.cache().perConsumer() ? "on" : "");
        form.put("cache_stale_if_error_seconds", Integer.toString(r.cache().staleIfErrorSeconds()));
        return form;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }

    /** The route JSON the domain service reads, built from the form's fields. */
    static ObjectNode body(Form f) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("name", f.text("name"));
        body.put("service", f.text("service"));
        Function<String, List<String>> words = s -> s.isBlank() ? List.of() : List.of(s.strip().split("[\\s,]+"));
        var hosts = body.putArray("hosts");
        words.apply(f.text("hosts")).forEach(hosts::add);
        var paths = body.putArray("paths");
        words.apply(f.text("paths")).forEach(paths::add);
        var methods = body.putArray("methods");
        f.all("methods").forEach(methods::add);
        body.put("strip_prefix", f.checked("strip_prefix"));
        body.put("auth", f.text("auth"));
        Visit.putNumber(body, "rate_per_second", f.text("rate_per_second"));
        Visit.putNumber(body, "burst", f.text("burst"));
        Visit.putNumber(body, "max_body_bytes", f.text("max_body_bytes"));
        Visit.putNumber(body, "deadline_ms", f.text("deadline_ms"));
        body.put("cache_enabled", f.checked("cache_enabled"));
        body.put("cache_per_consumer", f.checked("cache_per_consumer"));
        Visit.putNumber(body, "cache_ttl_seconds", f.text("cache_ttl_seconds"));
        Visit.putNumber(body, "cache_stale_if_error_seconds", f.text("cache_stale_if_error_seconds"));
        return body;
    }
}
