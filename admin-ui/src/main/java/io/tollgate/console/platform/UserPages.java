package io.tollgate.console.platform;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.users.Users;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Form;
import io.tollgate.console.web.Listing;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.ConsoleSessionStore;
import io.tollgate.db.store.TenantStore;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Admin users and their role grants. Grants are edited as lines of "role [tenant]"; the domain service validates
 * them. Disabling a user also ends their console sessions at once.
 */
final class UserPages {
    private static final String[] FIELDS = {"email", "display_name", "grants", "version"};

    private final AdminContext ctx;
    private final Pages pages;
    private final Users users;

    UserPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.users = new Users(ctx.db(), ctx.writer(), ctx.passwords());
    }

    void routing(HttpRules rules) {
        rules.get("/users", pages.signedIn(this::list))
                .post("/users", pages.signedIn(this::create))
                .get("/users/new", pages.signedIn(this::createForm))
                .get("/users/{id}", pages.signedIn(this::editForm))
                .post("/users/{id}", pages.signedIn(this::update));
    }

    /** A user as the list and form show it: grants as "role tenant" lines. */
    public record UserRow(UUID id, String email, String displayName, boolean disabled, List<String> grants,
                          int rowVersion, java.time.OffsetDateTime createdAt) {
    }

    private UserRow row(Users.UserWithGrants u, Map<UUID, String> slugs) {
        List<String> grants = u.grants().stream()
                .map(g -> g.role() + (g.tenantId() == null ? "" : " " + slugs.getOrDefault(g.tenantId(), "?")))
                .sorted().toList();
        return new UserRow(u.user().id(), u.user().email(), u.user().displayName(), u.user().disabled(), grants,
                u.user().rowVersion(), u.user().createdAt());
    }

    private Map<UUID, String> slugs() {
        return new TenantStore(ctx.db().dsl()).all().stream().collect(Collectors.toMap(Tenant::id, Tenant::slug));
    }

    private void list(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        Map<UUID, String> slugs = slugs();
        List<UserRow> all = users.page(v.principal(), null, Listing.MAX_ROWS).stream().map(u -> row(u, slugs)).toList();
        String role = v.query("role");
        if (!role.isEmpty()) {
            all = all.stream().filter(u -> u.grants().stream().anyMatch(g -> g.startsWith(role))).toList();
        }
        Map<String, Comparator<UserRow>> sorts = new LinkedHashMap<>();
        sorts.put("email", Comparator.comparing(UserRow::email));
        sorts.put("created", Comparator.comparing(UserRow::createdAt));
        Listing<UserRow> listing = Listing.of(v, "/users", all,
                (u, q) -> u.email().contains(q) || (u.displayName() != null && u.displayName().toLowerCase().contains(q))
                        || u.grants().stream().anyMatch(g -> g.contains(q)),
                sorts, "email", Map.of("role", role));
        Map<String, Object> model = new HashMap<>();
        model.put("listing", listing);
        model.put("role", role);
        v.render("users", model);
    }

    private void createForm(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        showForm(v, null, Map.of(), Map.of(), null, Status.OK_200);
    }

    private void create(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        Form f = v.form();
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("email", f.text("email"));
        body.put("password", f.text("password"));
        if (!f.text("display_name").isEmpty()) {
            body.put("display_name", f.text("display_name"));
        }
        body.set("grants", grants(f.text("grants")));
        try {
            ctx.writer().write(v.caller(), tx -> users.create(tx, v.caller(), body));
        } catch (ProblemException e) {
            problem(v, null, e);
            return;
        }
        v.redirect("/users?done=user-created");
    }

    private void editForm(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        UserRow u = row(users.get(v.principal(), v.path("id")), slugs());
        Map<String, String> form = new LinkedHashMap<>();
        form.put("email", u.email());
        form.put("display_name", u.displayName() == null ? "" : u.displayName());
        form.put("grants", String.join("\n", u.grants()));
        form.put("version", Integer.toString(u.rowVersion()));
        form.put("disabled", u.disabled() ? "on" : "");
        showForm(v, u, form, Map.of(), null, Status.OK_200);
    }

    private void update(Visit v) {
        PlatformPages.requirePlatformAdmin(v);
        UserRow current = row(users.get(v.principal(), v.path("id")), slugs());
        Form f = v.form();
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("display_name", f.text("display_name"));
        body.put("disabled", f.checked("disabled"));
        if (!f.text("password").isEmpty()) {
            body.put("password", f.text("password"));
        }
        body.set("grants", grants(f.text("grants")));
        try {
            users.update(v.caller(), current.id().toString(), body, v.ifMatch(f.text("version")));
        } catch (ProblemException e) {
            problem(v, current, e);
            return;
        }
        if (f.checked("disabled")) {
            new ConsoleSessionStore(ctx.db().dsl()).deleteOfUser(current.id());
        }
        v.redirect("/users?done=user-saved");
    }

    private void problem(Visit v, UserRow current, ProblemException e) {
        Map<String, String> typed = new LinkedHashMap<>(v.form().echo(FIELDS));
        typed.put("disabled", v.form().checked("disabled") ? "on" : "");
        if (current != null) {
            typed.put("email", current.email());
        }
        if (Pages.isValidation(e)) {
            showForm(v, current, typed, Pages.fieldErrors(e), "Some fields need attention.", Status.BAD_REQUEST_400);
        } else if (Pages.isStale(e)) {
            showForm(v, current, typed, Map.of(), "Someone else changed this user while you were editing, so your "
                    + "changes were not saved. Reload the page to see the current version.", Status.PRECONDITION_FAILED_412);
        } else if (e.problem().type() == ProblemType.CONFLICT) {
            showForm(v, current, typed, Map.of(), e.problem().detail(), Status.CONFLICT_409);
        } else {
            throw e;
        }
    }

    private void showForm(Visit v, UserRow user, Map<String, String> form, Map<String, String> errors,
                          String failure, Status status) {
        Map<String, Object> model = new HashMap<>();
        model.put("user", user);
        model.put("pageTitle", user == null ? "New user" : "User " + user.email());
        model.put("form", form);
        model.put("errors", errors);
        model.put("failure", failure);
        v.render(status, "user-form", model);
    }

    /** "role [tenant]" per line into the grants array the domain service reads. */
    static ArrayNode grants(String text) {
        ArrayNode grants = Json.mapper().createArrayNode();
        for (String line : text.split("\\R")) {
            String[] parts = line.strip().split("\\s+");
            if (parts[0].isEmpty()) {
                continue;
            }
            ObjectNode grant = grants.addObject().put("role", parts[0]);
            if (parts.length > 1) {
                grant.put("tenant", parts[1]);
            }
        }
        return grants;
    }
}
