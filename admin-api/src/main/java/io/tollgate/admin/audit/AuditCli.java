package io.tollgate.admin.audit;

import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.common.json.Json;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.Database;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.AuditStore;
import io.tollgate.db.store.AuditVerifier;
import io.tollgate.db.store.TenantStore;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code tollgate audit export|verify|prune}: the auditor's command line, straight against the database (an
 * operator with database access), or offline on an exported file ({@code verify --file}).
 * Exit codes: 0 fine, 1 the chain is broken, 2 bad usage or an error.
 */
public final class AuditCli {
    private static final String USAGE = """
            usage: tollgate audit export [--from T] [--to T] [--tenant SLUG] [--format ndjson|csv] [--out FILE]
                   tollgate audit verify [--from T] [--to T]
                   tollgate audit verify --file EXPORT.ndjson [--no-links]
                   tollgate audit prune --older-than-days N
                   tollgate audit seed --events N   (benchmarks only; needs TOLLGATE_ALLOW_AUDIT_SEED=yes)
            T is an RFC 3339 time such as 2030-01-31T00:00:00Z. --no-links checks each event's own hash only
            (for a tenant-filtered export, whose neighbours are not in the file).""";

    private AuditCli() {
    }

    public static int run(String[] args, Settings settings, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(USAGE);
            return 2;
        }
        try {
            Map<String, String> opts = options(args, err);
            if (opts == null) {
                return 2;
            }
            return switch (args[0]) {
                case "export" -> export(settings, opts, out, err);
                case "verify" -> opts.containsKey("file") ? verifyFile(opts, out, err) : verifyDb(settings, opts, out);
                case "prune" -> prune(settings, opts, out, err);
                case "seed" -> seed(settings, opts, err);
                default -> {
                    err.println("unknown audit command '" + args[0] + "'\n" + USAGE);
                    yield 2;
                }
            };
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("audit " + args[0] + " failed: " + e.getMessage());
            return 2;
        }
    }

    private static int export(Settings settings, Map<String, String> opts, PrintStream out, PrintStream err)
            throws IOException {
        AuditFormats.Format format = AuditFormats.Format.parse(opts.get("format"));
        if (format == null) {
            throw new IllegalArgumentException("--format must be ndjson or csv");
        }
        try (Database db = Database.open(settings, "tollgate-audit-cli")) {
            java.util.UUID tenantId = null;
            if (opts.containsKey("tenant")) {
                tenantId = new TenantStore(db.dsl()).bySlug(opts.get("tenant")).map(Tenant::id)
                        .orElseThrow(() -> new IllegalArgumentException("no tenant with slug '" + opts.get("tenant") + "'"));
            }
            OffsetDateTime from = time(opts, "from");
            OffsetDateTime to = time(opts, "to");
            var after = Json.mapper().createObjectNode().put("from", opts.get("from")).put("to", opts.get("to"))
                    .put("tenant", opts.get("tenant")).put("format", format.extension()).put("via", "cli");
            String operator = System.getProperty("user.name", "unknown");
            new ChangeWriter(db).record(new Caller(null, null, null), new Change<>(null, "audit.export", tenantId,
                    "audit-trail", null, null, after.put("os_user", operator)));
            OutputStream target = opts.containsKey("out") ? Files.newOutputStream(Path.of(opts.get("out"))) : out;
            Writer w = new BufferedWriter(new OutputStreamWriter(target, StandardCharsets.UTF_8), 256 * 1024);
            AuditFormats.EventWriter events = new AuditFormats.EventWriter(w, format);
            long n = AuditStore.stream(db, new AuditStore.Filter(tenantId, from, to, null, null, null), events::write);
            events.finish();
            if (opts.containsKey("out")) {
                w.close();
            }
            err.println("exported " + n + " events");
            return 0;
        }
    }

    private static int verifyDb(Settings settings, Map<String, String> opts, PrintStream out) {
        try (Database db = Database.open(settings, "tollgate-audit-cli")) {
            AuditVerifier.Result r = AuditTrail.verify(db, time(opts, "from"), time(opts, "to"));
            out.println(AuditTrail.json(r).toPrettyString());
            return r.ok() ? 0 : 1;
        }
    }

    private static int verifyFile(Map<String, String> opts, PrintStream out, PrintStream err) throws IOException {
        try (Reader in = Files.newBufferedReader(Path.of(opts.get("file")), StandardCharsets.UTF_8)) {
            AuditFileVerifier.Outcome o = AuditFileVerifier.verify(in, !opts.containsKey("no-links"));
            var json = AuditTrail.json(o.result());
            o.problem().ifPresent(p -> json.put("problem", p));
            out.println(json.toPrettyString());
            return o.ok() ? 0 : 1;
        }
    }

    private static int prune(Settings settings, Map<String, String> opts, PrintStream out, PrintStream err) {
        String days = opts.get("older-than-days");
        if (days == null || !days.matches("[0-9]{1,5}") || Integer.parseInt(days) < 1) {
            throw new IllegalArgumentException("--older-than-days must be a whole number of days >= 1");
        }
        try (Database db = Database.open(settings, "tollgate-audit-cli")) {
            var checkpoint = AuditTrail.prune(db, OffsetDateTime.now().minusDays(Integer.parseInt(days)));
            out.println(checkpoint.map(c -> "pruned " + c.after().get("pruned_events").asText()
                    + " events; checkpoint event " + c.id()).orElse("nothing older than " + days + " days"));
            return 0;
        }
    }

    /**
     * Appends N synthetic events (benchmark data) in batches of 5,000, each batch one transaction. Guarded by an
     * explicit environment switch: synthetic events in a real trail would be noise an auditor must explain.
     */
    private static int seed(Settings settings, Map<String, String> opts, PrintStream err) {
        if (!"yes".equals(System.getenv("TOLLGATE_ALLOW_AUDIT_SEED"))) {
            throw new IllegalArgumentException("audit seed writes synthetic events; set TOLLGATE_ALLOW_AUDIT_SEED=yes "
                    + "and use it only on a benchmark database");
        }
        String events = opts.get("events");
        if (events == null || !events.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("--events must be a whole number");
        }
        long total = Long.parseLong(events);
        try (Database db = Database.open(settings, "tollgate-audit-seed")) {
            long written = 0;
            while (written < total) {
                int batch = (int) Math.min(5_000, total - written);
                java.util.List<io.tollgate.db.model.AuditEvent> rows = new java.util.ArrayList<>(batch);
                for (int i = 0; i < batch; i++) {
                    long n = written + i;
                    rows.add(new io.tollgate.db.model.AuditEvent(null, null, "system", null, "bench-seed", null,
                            "bench.synthetic", "route", "route-" + (n % 1000), null,
                            Json.mapper().createObjectNode().put("n", n).put("note", "synthetic, for benchmarks"),
                            "10.0." + (n % 250) + ".1", "seed-" + n, null, null));
                }
                db.transaction(cfg -> new AuditStore(org.jooq.impl.DSL.using(cfg)).appendAll(rows));
                written += batch;
            }
            err.println("seeded " + written + " events");
            return 0;
        }
    }

    private static Map<String, String> options(String[] args, PrintStream err) {
        Set<String> flags = Set.of("no-links");
        Set<String> valued = Set.of("from", "to", "tenant", "format", "out", "file", "older-than-days", "events");
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                err.println("unexpected argument '" + a + "'\n" + USAGE);
                return null;
            }
            String name = a.substring(2);
            if (flags.contains(name)) {
                opts.put(name, "true");
            } else if (valued.contains(name) && i + 1 < args.length) {
                opts.put(name, args[++i]);
            } else {
                err.println("unknown or incomplete option '" + a + "'\n" + USAGE);
                return null;
            }
        }
        return opts;
    }

    private static OffsetDateTime time(Map<String, String> opts, String name) {
        String v = opts.get(name);
        if (v == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--" + name + " must be an RFC 3339 time such as 2030-01-31T00:00:00Z");
        }
    }
}
