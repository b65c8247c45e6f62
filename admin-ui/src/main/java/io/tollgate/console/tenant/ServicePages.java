package io.tollgate.console.tenant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.services.Services;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Form;
import io.tollgate.console.web.Listing;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Service;
import io.tollgate.db.model.Tenant;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A tenant's upstream services: list, create, edit, delete. */
final class ServicePages {
    /** The resilience settings (docs/gateway-resilience.md), each a form field named as in the admin API. */
    private static final String[] RESILIENCE_NUMBERS = {"outlier_consecutive_failures", "outlier_base_ejection_ms",
            "breaker_consecutive_failures", "breaker_open_ms", "breaker_half_open_requests", "health_check_interval_ms",
            "health_check_timeout_ms", "health_check_healthy_threshold", "health_check_unhealthy_threshold"};
    private static final String[] FIELDS = {"name", "language", "protocol", "targets", "connect_timeout_ms",
            "read_timeout_ms", "retries", "version", "lb_policy", "hash_header", "health_check_path",
            "outlier_consecutive_failures", "outlier_base_ejection_ms", "breaker_consecutive_failures",
            "breaker_open_ms", "breaker_half_open_requests", "health_check_interval_ms", "health_check_timeout_ms",
            "health_check_healthy_threshold", "health_check_unhealthy_threshold"};

    private final AdminContext ctx;
    private final Pages pages;
    private final Services services;

    ServicePages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.services = new Services(ctx.db(), ctx.writer());
    }

    void routing(HttpRules rules) {
        rules.get("/t/{slug}/services", pages.signedIn(this::list))
                .post("/t/{slug}/services", pages.signedIn(this::create))
                .get("/t/{slug}/services/new", pages.signedIn(this::createForm))
                .get("/t/{slug}/services/{ref}", pages.signedIn(this::editForm))
                .post("/t/{slug}/services/{ref}", pages.signedIn(this::update))
                .post("/t/{slug}/services/{ref}/delete", pages.signedIn(this::delete));
    }

    private void list(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        var all = services.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS);
        Map<String, Comparator<Service>> sorts = new LinkedHashMap<>();
        sorts.put("name", Comparator.comparing(Service::name, String.CASE_INSENSITIVE_ORDER));
        sorts.put("language", Comparator.comparing(Service::language).thenComparing(Service::name));
        sorts.put("updated", Comparator.comparing(Service::updatedAt));
        Listing<Service> listing = Listing.of(v, "/t/" + tenant.slug() + "/services", all,
                (s, q) -> s.name().toLowerCase().contains(q) || s.language().equals(q)
                        || s.targets().stream().anyMatch(t -> t.url().toLowerCase().contains(q)),
                sorts, "name", Map.of());
        var model = TenantPages.model(v, tenant, "services");
        model.put("listing", listing);
        v.render("services", model);
    }

    private void createForm(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("language", "go");
        form.put("protocol", "http1");
        form.put("connect_timeout_ms", "2000");
        form.put("read_timeout_ms", "30000");
        form.put("retries", "0");
        form.putAll(resilienceValues(Service.Resilience.DEFAULTS));
        showForm(v, tenant, null, form, Map.of(), null, Status.OK_200);
    }

    private void create(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        ObjectNode body = body(v.form());
        try {
            ctx.writer().write(v.caller(), tx -> services.create(tx, v.caller(), tenant.slug(), body));
        } catch (ProblemException e) {
            formProblem(v, tenant, null, e);
            return;
        }
        v.redirect("/t/" + tenant.slug() + "/services?done=service-created");
    }

    private void editForm(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        Service s = services.get(v.principal(), tenant.slug(), v.path("ref"));
        showForm(v, tenant, s, values(s), Map.of(), null, Status.OK_200);
    }

    private void update(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Service current = services.get(v.principal(), tenant.slug(), v.path("ref"));
        try {
            services.update(v.caller(), tenant.slug(), current.id().toString(), body(v.form()),
                    v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            formProblem(v, tenant, current, e);
            return;
        }
        v.redirect("/t/" + tenant.slug() + "/services?done=service-saved");
    }

    private void delete(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Service current = services.get(v.principal(), tenant.slug(), v.path("ref"));
        try {
            services.delete(v.caller(), tenant.slug(), current.id().toString(), v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            if (e.problem().type() == ProblemType.CONFLICT || Pages.isStale(e)) {
                showForm(v, tenant, current, values(current), Map.of(), failure(e), Status.create(e.problem().status()));
                return;
            }
            throw e;
        }
        v.redirect("/t/" + tenant.slug() + "/services?done=service-deleted");
    }

    /** Shows the form again with what was typed and the errors beside their fields. */
    private void formProblem(Visit v, Tenant tenant, Service current, ProblemException e) {
        Map<String, String> typed = v.form().echo(FIELDS);
        if (Pages.isValidation(e)) {
            showForm(v, tenant, current, typed, Pages.fieldErrors(e), "Some fields need attention.",
                    Status.BAD_REQUEST_400);
        } else if (Pages.isStale(e) || e.problem().type() == ProblemType.CONFLICT) {
            showForm(v, tenant, current, typed, Map.of(), failure(e), Status.create(e.problem().status()));
        } else {
            throw e;
        }
    }

    static String failure(ProblemException e) {
        if (Pages.isStale(e)) {
            return "Someone else changed this while you were editing, so your changes were not saved. "
                    + "Reload the page to see the current version, then make your changes again.";
        }
        return e.problem().detail();
    }

    private void showForm(Visit v, Tenant tenant, Service current, Map<String, String> form,
                          Map<String, String> errors, String failure, Status status) {
        var model = TenantPages.model(v, tenant, "services");
        model.put("service", current);
        model.put("pageTitle", current == null ? "New service" : "Service " + current.name());
        model.put("form", form);
        model.put("errors", errors);
        model.put("failure", failure);
        v.render(status, "service-form", model);
    }

    private static Map<String, String> values(Service s) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", s.name());
        form.put("language", s.language());
        form.put("protocol", s.protocol());
        form.put("targets", s.targets().stream().map(t -> t.url() + " " + t.weight())
                .collect(Collectors.joining("\n")));
        form.put("connect_timeout_ms", Integer.toString(s.connectTimeoutMs()));
        form.put("read_timeout_ms", Integer.toString(s.readTimeoutMs()));
        form.put("retries", Integer.toString(s.retries()));
        form.put("version", Integer.toString(s.rowVersion()));
        form.putAll(resilienceValues(s.resilience()));
        return form;
    }

    private static Map<String, String> resilienceValues(Service.Resilience r) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("lb_policy", r.lbPolicy());
        form.put("hash_header", r.hashHeader() == null ? "" : r.hashHeader());
        form.put("outlier_consecutive_failures", Integer.toString(r.outlierConsecutiveFailures()));
        form.put("outlier_base_ejection_ms", Integer.toString(r.outlierBaseEjectionMs()));
        form.put("breaker_consecutive_failures", Integer.toString(r.breakerConsecutiveFailures()));
        form.put("breaker_open_ms", Integer.toString(r.breakerOpenMs()));
        form.put("breaker_half_open_requests", Integer.toString(r.breakerHalfOpenRequests()));
        form.put("health_check_path", r.healthCheckPath() == null ? "" : r.healthCheckPath());
        form.put("health_check_interval_ms", Integer.toString(r.healthCheckIntervalMs()));
        form.put("health_check_timeout_ms", Integer.toString(r.healthCheckTimeoutMs()));
        form.put("health_check_healthy_threshold", Integer.toString(r.healthCheckHealthyThreshold()));
        form.put("health_check_unhealthy_threshold", Integer.toString(r.healthCheckUnhealthyThreshold()));
        return form;
    }

    /** The service JSON the domain service reads, built from the form's fields. */
    static ObjectNode body(Form f) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("name", f.text("name"));
        body.put("language", f.text("language"));
        body.put("protocol", f.text("protocol"));
        var targets = body.putArray("targets");
        for (String line : f.text("targets").split("\\R")) {
            String[] parts = line.strip().split("\\s+");
            if (parts[0].isEmpty()) {
                continue;
            }
            ObjectNode target = targets.addObject().put("url", parts[0]);
            if (parts.length > 1) {
                Visit.putNumber(target, "weight", parts[1]);
            }
        }
        Visit.putNumber(body, "connect_timeout_ms", f.text("connect_timeout_ms"));
        Visit.putNumber(body, "read_timeout_ms", f.text("read_timeout_ms"));
        Visit.putNumber(body, "retries", f.text("retries"));
        body.put("lb_policy", f.text("lb_policy"));
        putOptionalText(body, "hash_header", f.text("hash_header"));
        putOptionalText(body, "health_check_path", f.text("health_check_path"));
        for (String field : RESILIENCE_NUMBERS) {
            Visit.putNumber(body, field, f.text(field));
        }
        return body;
    }

    /** An optional text setting: empty means none (null). */
    private static void putOptionalText(ObjectNode body, String field, String text) {
        if (text == null || text.isBlank()) {
            body.putNull(field);
        } else {
            body.put(field, text.strip());
        }
    }
}
