package io.tollgate.console.audit;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.audit.AuditFormats;
import io.tollgate.admin.audit.AuditTrail;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.web.Display;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.AuditEvent;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.TenantStore;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * {@code /audit}: the trail newest first with filters (time range in UTC, tenant, actor, action), each event's
 * before/after diff, and CSV/NDJSON export. Scoping is {@link AuditTrail#scope}: an auditor of one tenant sees
 * only that tenant's events, whatever the URL asks for. Exports are audited by {@link AuditTrail#export}.
 */
public final class AuditPages {
    private static final int PAGE = 50;
    private static final String[] FILTERS = {"tenant", "from", "to", "actor", "action"};

    private final AdminContext ctx;
    private final Pages pages;
    private final AuditTrail trail;

    public AuditPages(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.trail = new AuditTrail(ctx.db(), ctx.writer());
    }

    public void routing(HttpRules rules) {
        rules.get("/audit", pages.signedIn(this::list))
                .get("/audit/export", pages.signedIn(this::export))
                .get("/audit/{id}", pages.signedIn(this::detail));
    }

    /** The filters as typed, and the query they make; field errors when a time cannot be read. */
    private record Filters(Map<String, String> typed, AuditTrail.Query query, Map<String, String> errors) {
        String queryString() {
            return typed.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                    .map(e -> e.getKey() + "=" + Visit.encode(e.getValue())).collect(Collectors.joining("&"));
        }
    }

    private static Filters filters(Visit v) {
        Map<String, String> typed = new LinkedHashMap<>();
        for (String f : FILTERS) {
            typed.put(f, v.query(f));
        }
        Map<String, String> errors = new HashMap<>();
        OffsetDateTime from = time(typed.get("from"), "from", errors);
        OffsetDateTime to = time(typed.get("to"), "to", errors);
        AuditTrail.Query q = new AuditTrail.Query(blank(typed.get("tenant")), from, to, blank(typed.get("actor")),
                blank(typed.get("action")), null);
        return new Filters(typed, q, errors);
    }

    private static String blank(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static OffsetDateTime time(String text, String field, Map<String, String> errors) {
        String value = Display.rfc3339(text);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            errors.put(field, "must be a date and time such as 2030-01-31T12:00 (UTC)");
            return null;
        }
    }

    private void list(Visit v) {
        requireAuditor(v);
        Filters f = filters(v);
        Map<String, Object> model = new HashMap<>();
        model.put("filters", f.typed());
        model.put("query", f.queryString());
        model.put("order", "oldest".equals(v.query("order")) ? "oldest" : "newest");
        List<AuditEvent> rows = List.of();
        Map<String, String> errors = new HashMap<>(f.errors());
        if (errors.isEmpty()) {
            try {
                AuditStore.Filter filter = trail.scope(v.principal(), f.query());
                AuditStore store = new AuditStore(ctx.db().dsl());
                Long cursor = cursor(v.query("cursor"));
                rows = "oldest".equals(model.get("order")) ? store.page(filter, cursor, PAGE + 1)
                        : store.pageNewestFirst(filter, cursor, PAGE + 1);
            } catch (ProblemException e) {
                if (!Pages.isValidation(e)) {
                    throw e;
                }
                errors.putAll(Pages.fieldErrors(e));
            }
        }
        boolean more = rows.size() > PAGE;
        List<AuditEvent> shown = more ? rows.subList(0, PAGE) : rows;
        String base = "/audit?" + f.queryString() + (f.queryString().isEmpty() ? "" : "&") + "order=" + model.get("order");
        model.put("events", shown);
        model.put("nextUrl", more ? base + "&cursor=" + shown.getLast().id() : null);
        model.put("firstUrl", v.query("cursor").isEmpty() ? null : base);
        model.put("newestUrl", "/audit?" + f.queryString());
        model.put("oldestUrl", "/audit?" + f.queryString() + (f.queryString().isEmpty() ? "" : "&") + "order=oldest");
        model.put("tenants", tenantSlugs());
        model.put("errors", errors);
        model.put("exportQuery", f.queryString());
        v.render(errors.isEmpty() ? Status.OK_200 : Status.BAD_REQUEST_400, "audit", model);
    }

    private static Long cursor(String text) {
        if (text.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Map<UUID, String> tenantSlugs() {
        return new TenantStore(ctx.db().dsl()).all().stream().collect(Collectors.toMap(Tenant::id, Tenant::slug));
    }

    private void detail(Visit v) {
        requireAuditor(v);
        long id;
        try {
            id = Long.parseLong(v.path("id"));
        } catch (NumberFormatException e) {
            throw ProblemException.of(ProblemType.NOT_FOUND, "There is no such audit event.");
        }
        Filters f = filters(v);
        AuditStore.Filter scope = trail.scope(v.principal(), new AuditTrail.Query(f.query().tenantSlug(), null, null,
                null, null, null));
        AuditEvent e = new AuditStore(ctx.db().dsl()).byId(scope, id)
                .orElseThrow(() -> ProblemException.of(ProblemType.NOT_FOUND,
                        "There is no such audit event, or it belongs to a tenant you do not audit."));
        Map<String, Object> model = new HashMap<>();
        model.put("event", e);
        model.put("pageTitle", "Audit event " + e.id());
        model.put("tenantSlug", e.tenantId() == null ? null : tenantSlugs().get(e.tenantId()));
        model.put("diff", JsonDiff.of(e.before(), e.after()));
        model.put("back", "/audit?" + f.queryString());
        v.render("audit-event", model);
    }

    /** Streams the filtered trail as a download; the export itself is recorded in the trail. */
    private void export(Visit v) {
        requireAuditor(v);
        AuditFormats.Format format = AuditFormats.Format.parse(v.query("format").isEmpty() ? null : v.query("format"));
        if (format == null) {
            throw ProblemException.of(ProblemType.VALIDATION_FAILED, "Choose CSV or NDJSON.");
        }
        Filters f = filters(v);
        if (!f.errors().isEmpty()) {
            throw ProblemException.of(ProblemType.VALIDATION_FAILED, "The time filter cannot be read: "
                    + String.join("; ", f.errors().values()));
        }
        trail.scope(v.principal(), f.query());
        var res = v.response();
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, format.mediaType());
        res.header(HeaderNames.CONTENT_DISPOSITION,
                "attachment; filename=\"tollgate-audit." + format.extension() + "\"");
        try (Writer out = new BufferedWriter(new OutputStreamWriter(res.outputStream(), StandardCharsets.UTF_8),
                64 * 1024)) {
            trail.export(v.caller(), f.query(), format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireAuditor(Visit v) {
        if (!v.principal().isAuditor()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "Only auditors and platform admins read the audit log.");
        }
    }
}
