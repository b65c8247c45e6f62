package io.tollgate.console.platform;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.tenants.Tenants;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Form;
import io.tollgate.console.web.Listing;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Tenant;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tenants and their plans: list, create, edit, suspend and reactivate. */
final class TenantAdminPages {
    private static final String[] FIELDS = {"slug", "name", "rate_per_second", "burst", "quota", "quota_period",
            "version"};

    private final AdminContext ctx;
    private final Pages pages;
    private final Tenants tenants;

    TenantAdminPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.tenants = new Tenants(ctx.db(), ctx.writer());
    }

    void routing(HttpRules rules) {
        rules.get("/tenants", pages.signedIn(this::list))
                .post("/tenants", pages.signedIn(this::create))
                .get("/tenants/{slug}", pages.signedIn(this::editForm))
                .post("/tenants/{slug}", pages.signedIn(this::update))
                .post("/tenants/{slug}/status", pages.signedIn(this::status));
    }

    private void list(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("rate_per_second", "100");
        form.put("burst", "200");
        form.put("quota_period", "month");
        showList(v, form, Map.of(), null, Status.OK_200);
    }

    private void showList(Visit v, Map<String, String> form, Map<String, String> errors, String failure,
                          Status status) {
        List<Tenant> all = tenants.page(v.principal(), null, Listing.MAX_ROWS);
        String state = v.query("status");
        if (!state.isEmpty()) {
            all = all.stream().filter(t -> t.status().equals(state)).toList();
        }
        Map<String, Comparator<Tenant>> sorts = new LinkedHashMap<>();
        sorts.put("slug", Comparator.comparing(Tenant::slug));
        sorts.put("name", Comparator.comparing(Tenant::name, String.CASE_INSENSITIVE_ORDER));
        sorts.put("status", Comparator.comparing(Tenant::status).thenComparing(Tenant::slug));
        sorts.put("created", Comparator.comparing(Tenant::createdAt));
        Listing<Tenant> listing = Listing.of(v, "/tenants", all,
                (t, q) -> t.slug().contains(q) || t.name().toLowerCase().contains(q), sorts, "slug",
                Map.of("status", state));
        Map<String, Object> model = new HashMap<>();
        model.put("listing", listing);
        model.put("status", state);
        model.put("form", form);
        model.put("errors", errors);
        model.put("failure", failure);
        v.render(status, "tenants", model);
    }

    private void create(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        ObjectNode body = body(v.form(), true);
        Tenant created;
        try {
            created = ctx.writer().write(v.caller(), tx -> tenants.create(tx, v.caller(), body));
        } catch (ProblemException e) {
            if (Pages.isValidation(e)) {
                showList(v, v.form().echo(FIELDS), Pages.fieldErrors(e), "The tenant was not created: some fields "
                        + "need attention.", Status.BAD_REQUEST_400);
            } else if (e.problem().type() == ProblemType.CONFLICT) {
                showList(v, v.form().echo(FIELDS), Map.of("slug", e.problem().detail()), "The tenant was not created.",
                        Status.CONFLICT_409);
            } else {
                throw e;
            }
            return;
        }
        v.redirect("/tenants/" + created.slug() + "?done=tenant-created");
    }

    private void editForm(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        Tenant t = tenants.get(v.principal(), v.path("slug"));
        showForm(v, t, values(t), Map.of(), null, Status.OK_200);
    }

    private void showForm(Visit v, Tenant t, Map<String, String> form, Map<String, String> errors, String failure,
                          Status status) {
        Map<String, Object> model = new HashMap<>();
        model.put("tenant", t);
        model.put("pageTitle", "Tenant " + t.slug());
        model.put("form", form);
        model.put("errors", errors);
        model.put("failure", failure);
        v.render(status, "tenant-form", model);
    }

    private void update(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        Tenant current = tenants.get(v.principal(), v.path("slug"));
        try {
            tenants.update(v.caller(), current.slug(), body(v.form(), false), v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            problem(v, current, e);
            return;
        }
        v.redirect("/tenants/" + current.slug() + "?done=tenant-saved");
    }

    /** Suspend or reactivate: a gateway node refuses a suspended tenant's traffic. */
    private void status(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        Tenant current = tenants.get(v.principal(), v.path("slug"));
        ObjectNode body = Json.mapper().createObjectNode().put("status", v.form().text("status"));
        try {
            tenants.update(v.caller(), current.slug(), body, v.ifMatch(v.form().text("version")));
        } catch (ProblemException e) {
            problem(v, current, e);
            return;
        }
        v.redirect("/tenants/" + current.slug() + "?done=tenant-saved");
    }

    private void problem(Visit v, Tenant current, ProblemException e) {
        if (Pages.isValidation(e)) {
            showForm(v, current, v.form().echo(FIELDS), Pages.fieldErrors(e), "Some fields need attention.",
                    Status.BAD_REQUEST_400);
        } else if (Pages.isStale(e)) {
            showForm(v, current, v.form().echo(FIELDS), Map.of(), "Someone else changed this tenant while you were "
                    + "editing, so your changes were not saved. Reload the page to see the current version.",
                    Status.PRECONDITION_FAILED_412);
        } else {
            throw e;
        }
    }

    private static Map<String, String> values(Tenant t) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("slug", t.slug());
        form.put("name", t.name());
        form.put("rate_per_second", Integer.toString(t.plan().ratePerSecond()));
        form.put("burst", Integer.toString(t.plan().burst()));
        form.put("quota", t.plan().quota() == null ? "" : t.plan().quota().toString());
        form.put("quota_period", t.plan().quotaPeriod());
        form.put("version", Integer.toString(t.rowVersion()));
        return form;
    }

    private static ObjectNode body(Form f, boolean creating) {
        ObjectNode body = Json.mapper().createObjectNode();
        if (creating) {
            body.put("slug", f.text("slug"));
        }
        body.put("name", f.text("name"));
        ObjectNode plan = body.putObject("plan");
        Visit.putNumber(plan, "rate_per_second", f.text("rate_per_second"));
        Visit.putNumber(plan, "burst", f.text("burst"));
        Visit.putNumber(plan, "quota", f.text("quota"));
        plan.put("quota_period", f.text("quota_period"));
        return body;
    }
}
