package io.tollgate.admin;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.audit.AuditResource;
import io.tollgate.admin.audit.AuditTrail;
import io.tollgate.admin.config.ConfigResource;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.keys.KeyResource;
import io.tollgate.admin.nodes.NodeResource;
import io.tollgate.admin.routes.RouteCacheResource;
import io.tollgate.admin.routes.RouteResource;
import io.tollgate.admin.services.ServiceResource;
import io.tollgate.admin.tenants.TenantResource;
import io.tollgate.admin.tokens.TokenResource;
import io.tollgate.admin.users.UserResource;
import io.tollgate.admin.users.Users;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.common.problem.ProblemWriter;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.Database;
import io.tollgate.db.store.ConfigStateStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.List;
import java.util.function.Function;

/**
 * The admin process: the REST API under {@code /api/v1} (and, later, the console at {@code /}) over one
 * database pool. Migrates on start unless TOLLGATE_MIGRATE_ON_START=false.
 */
public final class AdminServer {
    private static final System.Logger LOG = System.getLogger(AdminServer.class.getName());

    private final WebServer server;
    private final Database db;
    private final ScheduledExecutorService retention;

    private AdminServer(WebServer server, Database db, ScheduledExecutorService retention) {
        this.server = server;
        this.db = db;
        this.retention = retention;
    }

    public static AdminServer start(Settings settings) {
        return start(settings, ctx -> List.of());
    }

    /**
     * Starts the admin with more HTTP services beside the REST API: the console registers itself this way, so
     * it shares this process's context (database pool, RBAC, audit) without admin-api depending on it.
     * Extensions are registered at {@code /} after the API, so {@code /api/v1} always wins.
     */
    public static AdminServer start(Settings settings, Function<AdminContext, List<HttpService>> extensions) {
        if (settings.migrateOnStart()) {
            var result = Database.migrate(settings);
            LOG.log(System.Logger.Level.INFO, "database migrated to version {0} ({1} migrations applied)",
                    result.targetSchemaVersion, result.migrationsExecuted);
        }
        Database db = Database.open(settings, "tollgate-admin");
        try {
            AdminContext ctx = AdminContext.create(settings, db, Clock.systemUTC());
            bootstrap(ctx);
            WebServer server = WebServer.builder()
                    .host(settings.bindHost())
                    .port(settings.adminPort())
                    // Above the API's own 1 MiB check, so bodies up to 16 MiB get a problem+json 413 from it.
                    .maxPayloadSize(Api.MAX_BODY_BYTES * 16L)
                    .routing(routing -> {
                        routing(routing, ctx);
                        extensions.apply(ctx).forEach(extension -> routing.register("/", extension));
                    })
                    .build()
                    .start();
            LOG.log(System.Logger.Level.INFO, "admin API listening on port {0}", server.port());
            return new AdminServer(server, db, scheduleRetention(settings, db));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    public int port() {
        return server.port();
    }

    public void stop() {
        if (retention != null) {
            retention.shutdownNow();
        }
        server.stop();
        db.close();
    }

    /** With TOLLGATE_AUDIT_RETENTION_DAYS set, prunes older audit events hourly, leaving a checkpoint. */
    private static ScheduledExecutorService scheduleRetention(Settings settings, Database db) {
        if (settings.auditRetentionDays() <= 0) {
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("audit-retention").factory());
        executor.scheduleWithFixedDelay(() -> {
            try {
                AuditTrail.prune(db, OffsetDateTime.now().minusDays(settings.auditRetentionDays()))
                        .ifPresent(c -> LOG.log(System.Logger.Level.INFO, "audit retention: pruned through event {0}",
                                c.targetId()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "audit retention run failed; will retry", e);
            }
        }, 1, 3600, TimeUnit.SECONDS);
        return executor;
    }

    private static void bootstrap(AdminContext ctx) {
        var email = ctx.settings().bootstrapAdminEmail();
        var password = ctx.settings().bootstrapAdminPassword();
        if (email.isPresent() && password.isPresent()) {
            new Users(ctx.db(), ctx.writer(), ctx.passwords()).bootstrap(email.get(), password.get())
                    .ifPresent(u -> LOG.log(System.Logger.Level.INFO, "created the first platform admin {0}", u.email()));
        } else if (!new io.tollgate.db.store.UserStore(ctx.db().dsl()).anyPlatformAdmin()) {
            LOG.log(System.Logger.Level.WARNING, "there is no platform admin yet: set TOLLGATE_BOOTSTRAP_ADMIN_EMAIL "
                    + "and TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD and restart");
        }
    }

    static void routing(HttpRouting.Builder routing, AdminContext ctx) {
        routing.addFilter((chain, req, res) -> {
            res.header(Api.REQUEST_ID, Api.requestId(req));
            chain.proceed();
        });
        List<HttpService> resources = List.of(
                new TokenResource(ctx),
                new TenantResource(ctx),
                ServiceResource.create(ctx),
                RouteResource.create(ctx),
                new RouteCacheResource(ctx),
                KeyResource.create(ctx),
                new UserResource(ctx),
                new NodeResource(ctx),
                new AuditResource(ctx),
                new ConfigResource(ctx));
        routing.register("/api/v1", resources.toArray(HttpService[]::new));
        routing.register("/api/v1", (HttpService) rules -> meta(rules, ctx));
        routing.any("/api/v1/*", (req, res) -> {
            throw ProblemException.of(ProblemType.NOT_FOUND, "no such endpoint: " + req.prologue().method().text()
                    + " " + req.path().path());
        });
        routing.error(ProblemException.class, (req, res, e) -> ProblemWriter.write(res,
                e.problem().withInstance("urn:tollgate:request:" + Api.requestId(req))));
        routing.error(Exception.class, (req, res, e) -> {
            String id = Api.requestId(req);
            LOG.log(System.Logger.Level.ERROR, "request " + id + " failed", e);
            ProblemWriter.write(res, Problem.of(ProblemType.INTERNAL,
                    "something went wrong on our side; quote request id " + id)
                    .withInstance("urn:tollgate:request:" + id));
        });
    }

    private static void meta(HttpRules rules, AdminContext ctx) {
        rules.get("/health", (req, res) -> health(ctx, res))
                .get("/openapi.yaml", AdminServer::openApi);
    }

    private static void health(AdminContext ctx, ServerResponse res) {
        var body = Json.mapper().createObjectNode();
        try {
            long version = new ConfigStateStore(ctx.db().dsl()).version();
            body.put("status", "UP").put("database", "UP").put("config_version", version);
            Api.json(res, Status.OK_200, body, null);
        } catch (RuntimeException e) {
            body.put("status", "DOWN").put("database", "DOWN");
            Api.json(res, Status.SERVICE_UNAVAILABLE_503, body, null);
        }
    }

    private static void openApi(ServerRequest req, ServerResponse res) {
        try (InputStream in = AdminServer.class.getResourceAsStream("/openapi.yaml")) {
            res.header(HeaderNames.CONTENT_TYPE, "application/yaml");
            res.send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
