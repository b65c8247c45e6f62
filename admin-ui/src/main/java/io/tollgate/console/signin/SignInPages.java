package io.tollgate.console.signin;

import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.tokens.Tokens;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.TenantStore;
import io.tollgate.db.store.UserStore;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /sign-in}, {@code /sign-out} and {@code /}. Sign-in goes through {@link Tokens#signIn}, so failed
 * attempts are audited and throttled exactly as for the REST API; the access token it issues is dropped, and
 * the browser gets a console session cookie instead.
 */
public final class SignInPages {
    private final AdminContext ctx;
    private final Pages pages;
    private final Tokens tokens;

    public SignInPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.tokens = new Tokens(ctx);
    }

    public void routing(HttpRules rules) {
        rules.get("/sign-in", pages.open(this::form))
                .post("/sign-in", pages.open(this::signIn))
                .post("/sign-out", pages.signedIn(this::signOut))
                .get("/", pages.signedIn(this::home));
    }

    private void form(Visit v) {
        if (v.pages().sessions().isSignedIn(v.request())) {
            v.redirect("/");
            return;
        }
        show(v, Status.OK_200, Map.of(), null, "");
    }

    private void show(Visit v, Status status, Map<String, String> errors, String failure, String email) {
        Map<String, Object> model = new HashMap<>();
        model.put("signInCsrf", v.preSessionCsrf());
        model.put("next", safeNext(v.query("next").isEmpty() ? v.form().text("next") : v.query("next")));
        model.put("errors", errors);
        model.put("failure", failure);
        model.put("email", email);
        v.render(status, "sign-in", model);
    }

    private void signIn(Visit v) {
        String email = v.form().text("email");
        var body = Json.mapper().createObjectNode();
        if (!email.isEmpty()) {
            body.put("email", email);
        }
        String password = v.form().text("password");
        if (!password.isEmpty()) {
            body.put("password", password);
        }
        try {
            tokens.signIn(v.caller(), body);
        } catch (ProblemException e) {
            if (Pages.isValidation(e)) {
                show(v, Status.BAD_REQUEST_400, Pages.fieldErrors(e), null, email);
            } else if (e.problem().type() == ProblemType.RATE_LIMITED) {
                show(v, Status.TOO_MANY_REQUESTS_429, Map.of(), "Too many failed sign-ins for this email. "
                        + "Wait a few minutes, then try again.", email);
            } else if (e.problem().type() == ProblemType.UNAUTHENTICATED) {
                show(v, Status.UNAUTHORIZED_401, Map.of(), "The email or password is not right.", email);
            } else {
                throw e;
            }
            return;
        }
        var user = new UserStore(ctx.db().dsl()).byEmail(email).orElseThrow();
        v.pages().sessions().open(v.request(), v.response(), user.id());
        v.redirect(safeNext(v.form().text("next")));
    }

    private void signOut(Visit v) {
        Principal p = v.principal();
        ctx.writer().record(v.caller(), new Change<>(null, "auth.sign-out", null, "user", p.id().toString(), null,
                null));
        v.pages().sessions().close(v.request(), v.response(), v.signedIn());
        v.redirect("/sign-in?done=signed-out");
    }

    /**
     * The landing page: a platform admin starts at tenants, a tenant admin of one tenant at its dashboard, an
     * auditor at the audit log; anyone else sees what they may open.
     */
    private void home(Visit v) {
        Principal p = v.principal();
        TenantStore tenants = new TenantStore(ctx.db().dsl());
        List<String> administered = p.grants().stream()
                .filter(g -> g.tenantId() != null && g.role().equals(Principal.TENANT_ADMIN))
                .map(g -> tenants.byId(g.tenantId())).flatMap(Optional::stream).map(Tenant::slug)
                .distinct().sorted().toList();
        boolean onlyAuditor = p.isAuditor() && administered.isEmpty() && !p.isPlatformAdmin();
        if (v.query("stay").isEmpty()) {
            if (p.isPlatformAdmin()) {
                v.redirect("/tenants");
                return;
            }
            if (administered.size() == 1 && !p.isAuditor()) {
                v.redirect("/t/" + administered.getFirst());
                return;
            }
            if (onlyAuditor) {
                v.redirect("/audit");
                return;
            }
        }
        Map<String, Object> model = new HashMap<>();
        model.put("administered", administered);
        model.put("roles", p.grants().stream().map(g -> g.role() + (g.tenantId() == null ? ""
                : " of " + tenants.byId(g.tenantId()).map(Tenant::slug).orElse("?"))).sorted().toList());
        v.render("home", model);
    }

    /** Only a path on this console: no scheme, no host, no protocol-relative {@code //} or {@code /\}. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")
                || next.startsWith("/sign-in") || next.length() > 512 || next.chars().anyMatch(c -> c < 0x20)) {
            return "/";
        }
        return next;
    }
}
