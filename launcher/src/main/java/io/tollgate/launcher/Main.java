package io.tollgate.launcher;

import io.tollgate.admin.AdminServer;
import io.tollgate.console.ConsoleServer;
import io.tollgate.admin.audit.AuditCli;
import io.tollgate.admin.config.ConfigCli;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.Database;
import io.tollgate.gateway.GatewayMain;
import io.tollgate.gateway.GatewayServer;
import io.tollgate.gateway.tls.TlsSettings;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** {@code tollgate <command>}: the one entry point of every Tollgate process. Settings come from the environment. */
public final class Main {
    static final String USAGE = """
            Usage: tollgate <command>

              dev            start everything for local use: database, schema, demo upstream, admin server,
                             one gateway node, a demo tenant with a working route and API key
              migrate        apply the database migrations (Flyway) and exit
              admin          run the admin server (REST API and console); migrates first unless
                             TOLLGATE_MIGRATE_ON_START=false
              gateway        run a gateway node (proxy port and management port)
              demo-upstream  run only the built-in demo upstream (port TOLLGATE_DEMO_UPSTREAM_PORT, default 8090)
              audit          export, verify or prune the audit trail ('tollgate audit' for its usage)
              config         export, diff or apply a tenant's declarative configuration through the admin API
                             ('tollgate config' for its usage; the token comes from TOLLGATE_TOKEN)
              help           show this text

            Settings are environment variables (TOLLGATE_DB_URL, TOLLGATE_ADMIN_PORT, ...); README.md lists them all.
            admin, gateway and dev run until SIGINT/SIGTERM and then stop cleanly.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        if (command.equals("audit")) {
            try {
                System.exit(AuditCli.run(Arrays.copyOfRange(args, 1, args.length), settings(System.getenv()),
                        System.out, System.err));
            } catch (LaunchException e) {
                fail(2, e.getMessage());
            }
        }
        if (command.equals("config")) {
            System.exit(ConfigCli.run(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out,
                    System.err));
        }
        if (args.length > 1) {
            fail(2, "'" + command + "' takes no arguments (got " + Arrays.toString(Arrays.copyOfRange(args, 1,
                    args.length)) + "); settings are environment variables.");
        }
        try {
            switch (command) {
                case "migrate" -> migrate();
                case "admin" -> admin();
                case "gateway" -> gateway();
                case "dev" -> new DevCommand(System.getenv(), home(), runningAsRoot()).run();
                case "demo-upstream" -> demoUpstream();
                case "help", "-h", "--help" -> System.out.print(USAGE);
                default -> fail(2, "unknown command '" + command + "'.\n\n" + USAGE);
            }
        } catch (LaunchException e) {
            fail(1, e.getMessage());
        } catch (RuntimeException | Error e) {
            // System.exit, not a rethrow: a server that started before the failure must not keep the JVM alive.
            System.err.println("tollgate " + command + " failed:");
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void migrate() {
        Settings settings = settings();
        System.out.println(migrate(settings));
    }

    /** Migrates and says what happened; a database that cannot be reached or migrated is reported plainly. */
    static String migrate(Settings settings) {
        try {
            MigrateResult result = Database.migrate(settings);
            return "Schema of " + settings.dbUrl() + ": " + result.migrationsExecuted + " migration(s) applied, "
                    + "now at version " + (result.targetSchemaVersion != null
                    ? result.targetSchemaVersion : result.initialSchemaVersion) + ".";
        } catch (FlywayException e) {
            throw new LaunchException("Could not migrate " + settings.dbUrl() + " as user '" + settings.dbUser()
                    + "':\n" + e.getMessage() + "\nCheck TOLLGATE_DB_URL, TOLLGATE_DB_USER and TOLLGATE_DB_PASSWORD; "
                    + "the database itself must exist (e.g. `createdb -h 127.0.0.1 -U postgres tollgate`).", e);
        }
    }

    private static void admin() {
        Settings settings = settings();
        Ports.requireFree(settings.bindHost(), settings.adminPort(), "TOLLGATE_ADMIN_PORT", "admin server");
        AdminServer server = ConsoleServer.start(settings);
        System.out.println("Tollgate admin listening on " + settings.bindHost() + ":" + server.port()
                + " (REST API under /api/v1, console at /).");
        blockUntilTerminated(server::stop);
    }

    private static void gateway() {
        Settings settings = settings();
        Ports.requireFree(settings.bindHost(), settings.gatewayPort(), "TOLLGATE_GATEWAY_PORT", "gateway");
        Ports.requireFree(settings.bindHost(), settings.mgmtPort(), "TOLLGATE_MGMT_PORT", "gateway management port");
        GatewayMain.configureLogging();
        GatewayServer server;
        try {
            TlsSettings.from(System.getenv()).ifPresent(tls -> Ports.requireFree(settings.bindHost(), tls.port(),
                    "TOLLGATE_TLS_PORT", "gateway HTTPS listener"));
            server = GatewayServer.start(settings);
        } catch (IllegalArgumentException e) {
            // a gateway setting or the HTTPS certificate/key files: the message names what to fix
            throw new LaunchException(e.getMessage(), e);
        }
        System.out.println("Tollgate gateway node " + settings.nodeId().orElse("(unnamed)") + " listening on "
                + settings.bindHost() + ":" + server.port() + ", management on port " + server.mgmtPort()
                + (server.tlsPort() >= 0 ? ", HTTPS on port " + server.tlsPort() : "") + ".");
        blockUntilTerminated(server::stop);
    }

    private static void demoUpstream() {
        Map<String, String> env = System.getenv();
        String port = env.getOrDefault(DevCommand.DEMO_PORT, String.valueOf(DevCommand.DEFAULT_DEMO_PORT));
        String host = env.getOrDefault("TOLLGATE_BIND_HOST", "0.0.0.0");
        DemoUpstream upstream = DemoUpstream.start(host, Integer.parseInt(port.trim()));
        System.out.println("Demo upstream listening on " + host + ":" + upstream.port() + ".");
        blockUntilTerminated(upstream::stop);
    }

    /**
     * Parks the calling thread until the JVM is asked to stop (SIGINT, SIGTERM); the shutdown hook then runs
     * {@code stop}, which lets in-flight work finish before the process exits.
     */
    static void blockUntilTerminated(Runnable stop) {
        onTermination(stop);
        parkUntilTerminated();
    }

    /** Runs {@code stop} when the JVM is asked to stop; register it before starting what it stops. */
    static void onTermination(Runnable stop) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping ...");
            stop.run();
            System.out.println("Stopped.");
        }, "tollgate-shutdown"));
    }

    static void parkUntilTerminated() {
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Settings settings() {
        return settings(System.getenv());
    }

    /** Settings from {@code env}; a malformed value is the user's to fix, so it is reported without a stack trace. */
    static Settings settings(Map<String, String> env) {
        try {
            return Settings.from(env);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(e.getMessage(), e);
        }
    }

    /** Where {@code var/dev} lives: the repository root when started by bin/tollgate, else the working directory. */
    private static Path home() {
        String configured = System.getProperty("tollgate.home");
        return Path.of(configured != null ? configured : "").toAbsolutePath();
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (Exception e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void fail(int status, String message) {
        System.err.println("tollgate: " + message);
        System.exit(status);
    }
}
