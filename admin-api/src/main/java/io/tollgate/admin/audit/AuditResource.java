package io.tollgate.admin.audit;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.admin.http.Page;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * {@code /audit-events}: the list (filters and cursor), {@code /export} (CSV or NDJSON, streamed) and
 * {@code /verify} (the chain recomputed). An auditor of one tenant sees only that tenant's events.
 */
public final class AuditResource implements HttpService {
    private final AdminContext ctx;
    private final AuditTrail trail;

    public AuditResource(AdminContext ctx) {
        this.ctx = ctx;
        this.trail = new AuditTrail(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/audit-events", this::list)
                .get("/audit-events/export", this::export)
                .get("/audit-events/verify", this::verify);
    }

    private void list(ServerRequest req, ServerResponse res) {
        var principal = ctx.caller(req).principal();
        Page page = Page.of(req);
        Long afterId = null;
        if (page.after() != null) {
            try {
                afterId = Long.parseLong(page.after());
            } catch (NumberFormatException e) {
                throw Input.fieldError("cursor", "is not a cursor this API returned");
            }
        }
        var rows = trail.page(principal, query(req), afterId, page.fetchSize());
        Api.ok(res, page.render(rows, AuditViews::json, e -> Long.toString(e.id())));
    }

    private void export(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        AuditFormats.Format format = AuditFormats.Format.parse(text(req, "format"));
        if (format == null) {
            throw Input.fieldError("format", "must be csv or ndjson");
        }
        AuditTrail.Query q = query(req);
        trail.scope(caller.principal(), q);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, format.mediaType());
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"tollgate-audit." + format.extension() + "\"");
        try (Writer out = new BufferedWriter(new OutputStreamWriter(res.outputStream(), StandardCharsets.UTF_8), 64 * 1024)) {
            trail.export(caller, q, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void verify(ServerRequest req, ServerResponse res) {
        var principal = ctx.caller(req).principal();
        var result = trail.verify(principal, time(req, "from"), time(req, "to"));
        Api.ok(res, AuditTrail.json(result));
    }

    private static AuditTrail.Query query(ServerRequest req) {
        return new AuditTrail.Query(text(req, "tenant"), time(req, "from"), time(req, "to"), text(req, "actor"),
                text(req, "action"), text(req, "target"));
    }

    private static String text(ServerRequest req, String name) {
        return req.query().contains(name) && !req.query().get(name).isEmpty() ? req.query().get(name) : null;
    }

    private static OffsetDateTime time(ServerRequest req, String name) {
        String value = text(req, name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException e) {
            throw Input.fieldError(name, "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
        }
    }
}
