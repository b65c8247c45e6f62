package io.tollgate.console.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.http.Api;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.TenantStore;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** One browser request to the console: who is signed in, the form, and how to answer with a page. */
public final class Visit {
    private final AdminContext ctx;
    private final Views views;
    private final Pages pages;
    private final ServerRequest req;
    private final ServerResponse res;
    private final Sessions.SignedIn signedIn;
    private Form form;

    Visit(AdminContext ctx, Views views, Pages pages, ServerRequest req, ServerResponse res,
          Sessions.SignedIn signedIn) {
        this.ctx = ctx;
        this.views = views;
        this.pages = pages;
        this.req = req;
        this.res = res;
        this.signedIn = signedIn;
    }

    public ServerRequest request() {
        return req;
    }

    public ServerResponse response() {
        return res;
    }

    public AdminContext context() {
        return ctx;
    }

    /** The signed-in principal; only null on the sign-in pages. */
    public Principal principal() {
        return signedIn == null ? null : signedIn.principal();
    }

    public Sessions.SignedIn signedIn() {
        return signedIn;
    }

    public Pages pages() {
        return pages;
    }

    /** The sign-in form's CSRF token (sets the pre-session cookie when needed). */
    public String preSessionCsrf() {
        return Sessions.preSessionCsrf(req, res);
    }

    /** What the audit trail records about this request. */
    public Caller caller() {
        return new Caller(principal(), Api.requestId(req), ctx.clientIps().apply(Api.clientIp(req)));
    }

    public String path(String name) {
        return req.path().pathParameters().get(name);
    }

    /** A query parameter, stripped; empty when absent. */
    public String query(String name) {
        var q = req.query();
        return q.contains(name) ? q.get(name).strip() : "";
    }

    public Form form() {
        if (form == null) {
            form = Form.read(req);
        }
        return form;
    }

    /** Renders a page with 200. */
    public void render(String template, Map<String, Object> model) {
        render(Status.OK_200, template, model);
    }

    public void render(Status status, String template, Map<String, Object> model) {
        Map<String, Object> all = new HashMap<>(model);
        all.putIfAbsent("errors", Map.of());
        all.putIfAbsent("form", Map.of());
        all.put("notice", Notices.text(query("done")));
        all.put("requestId", Api.requestId(req));
        all.put("show", Display.INSTANCE);
        Principal p = principal();
        if (p != null) {
            all.put("me", p.name());
            all.put("csrf", Sessions.csrfOf(signedIn));
            all.put("nav", nav(p));
        } else {
            all.putIfAbsent("nav", Map.of());
        }
        String html = views.render(template, all);
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        res.send(html.getBytes(StandardCharsets.UTF_8));
    }

    /** 303 See Other: after a POST, the browser loads {@code location} with GET. */
    public void redirect(String location) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    /** The menu: what this principal may open, tenants named by slug. */
    private Map<String, Object> nav(Principal p) {
        TenantStore tenants = new TenantStore(ctx.db().dsl());
        List<String> administered = p.grants().stream()
                .filter(g -> g.tenantId() != null && g.role().equals(Principal.TENANT_ADMIN))
                .map(g -> tenants.byId(g.tenantId())).flatMap(Optional::stream).map(Tenant::slug)
                .distinct().sorted().toList();
        Map<String, Object> nav = new HashMap<>();
        nav.put("platform", p.isPlatformAdmin());
        nav.put("auditor", p.isAuditor());
        nav.put("tenants", administered);
        return nav;
    }

    /** Sets a form field on {@code node}: numbers as numbers, anything else as typed, blank as null. */
    public static void putNumber(com.fasterxml.jackson.databind.node.ObjectNode node, String field, String text) {
        if (text == null || text.isBlank()) {
            node.putNull(field);
            return;
        }
        try {
            node.put(field, Long.parseLong(text.strip()));
        } catch (NumberFormatException e) {
            node.put(field, text.strip());
        }
    }

    /** An optimistic-concurrency check against the row version the form was rendered with. */
    public java.util.function.IntConsumer ifMatch(String formVersion) {
        return current -> {
            if (!String.valueOf(current).equals(formVersion)) {
                throw Api.stale();
            }
        };
    }

    public static String encode(String value) {
        return URLEncoder.encode(Objects.requireNonNullElse(value, ""), StandardCharsets.UTF_8);
    }
}
