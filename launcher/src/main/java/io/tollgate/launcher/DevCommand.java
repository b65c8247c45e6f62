package io.tollgate.launcher;

import io.tollgate.admin.AdminServer;
import io.tollgate.console.ConsoleServer;
import io.tollgate.common.settings.Settings;
import io.tollgate.gateway.GatewayServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code tollgate dev}: everything a new user needs in one JVM — a database, the schema, the demo upstream, the admin
 * server, one gateway node, and a demo tenant whose route works — then blocks until Ctrl-C.
 */
final class DevCommand {
    static final String DEMO_PORT = "TOLLGATE_DEMO_UPSTREAM_PORT";
    static final int DEFAULT_DEMO_PORT = 8090;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(10);

    /** Held so the levels set on them are not lost when the loggers are garbage collected. */
    private static final List<Logger> QUIET_LOGS = List.of(Logger.getLogger("org.flywaydb"),
            Logger.getLogger("io.zonky"));

    private final Map<String, String> env;
    private final Path home;
    private final boolean root;
    /** What to stop, newest first. */
    private final Deque<Runnable> stops = new ArrayDeque<>();

    DevCommand(Map<String, String> env, Path home, boolean root) {
        this.env = env;
        this.home = home;
        this.root = root;
    }

    void run() {
        // Flyway's and the embedded PostgreSQL's INFO lines would bury the banner; warnings still show.
        QUIET_LOGS.forEach(log -> log.setLevel(Level.WARNING));
        // Registered first, so Ctrl-C during startup also stops what has started (an embedded PostgreSQL
        // would otherwise outlive the JVM).
        Main.onTermination(this::stopAll);
        try {
            start();
        } catch (RuntimeException | Error e) {
            // Whatever failed, nothing started so far may outlive it: a running server's non-daemon threads
            // would keep the JVM up with no one waiting on it.
            stopAll();
            throw e;
        }
        Main.parkUntilTerminated();
    }

    private void start() {
        Settings requested = Main.settings(env);
        int demoPort = demoPort();
        Ports.requireFree(requested.bindHost(), requested.adminPort(), "TOLLGATE_ADMIN_PORT", "admin server");
        Ports.requireFree(requested.bindHost(), requested.gatewayPort(), "TOLLGATE_GATEWAY_PORT", "gateway");
        Ports.requireFree(requested.bindHost(), requested.mgmtPort(), "TOLLGATE_MGMT_PORT", "gateway management port");
        Ports.requireFree("127.0.0.1", demoPort, DEMO_PORT, "demo upstream");

        Path state = home.resolve("var").resolve("dev");
        DevDatabase database = DevDatabase.find(env, state, root);
        stops.push(database::close);
        DevCredentials credentials = DevCredentials.resolve(env, credentialsFile());

        Map<String, String> values = new HashMap<>(env);
        values.putAll(database.asSettings());
        values.putAll(credentials.asSettings());
        values.put("TOLLGATE_MIGRATE_ON_START", "false"); // migrated just below, once, before anything serves
        values.putIfAbsent("TOLLGATE_NODE_ID", "dev-1");
        Settings settings = Main.settings(values);

        System.out.println("Database: " + database.url() + " (" + database.description() + ")");
        System.out.println(Main.migrate(settings));

        DemoUpstream upstream = DemoUpstream.start("127.0.0.1", demoPort);
        stops.push(upstream::stop);
        List<ExampleServices.Running> examples = ExampleServices.startIfBuilt(home).map(started -> {
            stops.push(started::close);
            return started.running();
        }).orElse(List.of());
        // The console's "try this route" sends through this dev gateway, wherever its port is.
        Map<String, String> consoleEnv = new HashMap<>(values);
        consoleEnv.putIfAbsent("TOLLGATE_CONSOLE_GATEWAY_URL", localUrl(settings, settings.gatewayPort()));
        AdminServer admin = ConsoleServer.start(settings, consoleEnv);
        stops.push(admin::stop);
        GatewayServer gateway = GatewayServer.start(settings);
        stops.push(gateway::stop);

        String adminUrl = localUrl(settings, admin.port());
        String gatewayUrl = localUrl(settings, gateway.port());
        String readyUrl = localUrl(settings, gateway.mgmtPort()) + "/health/ready";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        awaitStatus(http, HttpRequest.newBuilder(URI.create(readyUrl)), READY_TIMEOUT,
                "the gateway's " + readyUrl);

        AdminApiClient api = new AdminApiClient(adminUrl + "/api/v1");
        api.authenticate(credentials.adminEmail(), credentials.adminPassword());
        String key = new DemoSeeder(api).seed(upstream.url(), examples);

        String demoUrl = gatewayUrl + DemoSeeder.PATH + "/hello";
        awaitStatus(http, HttpRequest.newBuilder(URI.create(demoUrl)).header("X-API-Key", key), ROUTE_TIMEOUT,
                "the gateway route " + demoUrl);

        System.out.println(banner(adminUrl, gatewayUrl, readyUrl, upstream.url(), database, credentials, key, demoUrl)
                + examplesBanner(examples, gatewayUrl, key));
    }

    private static String banner(String adminUrl, String gatewayUrl, String readyUrl, String upstreamUrl,
                                 DevDatabase database, DevCredentials credentials, String key, String demoUrl) {
        String kept = credentials.generated().isEmpty()
                ? "" : "  (generated " + String.join(", ", credentials.generated()) + "; kept in "
                + credentials.file() + ")\n";
        return """

                Tollgate dev is running.

                  Admin API        %s/api/v1      (console: %s/)
                  Gateway          %s
                  Gateway health   %s
                  Demo upstream    %s
                  Database         %s
                  Admin login      %s / %s
                  JWT secret       %s
                %s  Demo tenant      demo: route /demo (API key, prefix stripped) -> demo upstream
                  Demo API key     %s

                Try it:
                  curl -H 'X-API-Key: %s' %s

                Press Ctrl-C to stop.
                """.formatted(adminUrl, adminUrl, gatewayUrl, readyUrl, upstreamUrl, database.url(),
                credentials.adminEmail(), credentials.adminPassword(), credentials.jwtSecret(), kept, key, key,
                demoUrl);
    }

    private static String examplesBanner(List<ExampleServices.Running> examples, String gatewayUrl, String key) {
        if (examples.isEmpty()) {
            return "Build the example Go and Rust services (examples/services/build) and dev routes to them too.\n";
        }
        StringBuilder out = new StringBuilder("Example services (built from examples/services):\n");
        for (ExampleServices.Running example : examples) {
            out.append("  ").append(example.name()).append(" (").append(example.language()).append(") at ")
                    .append(example.url()).append(", route ").append(example.path()).append(":\n")
                    .append("    curl -H 'X-API-Key: ").append(key).append("' ").append(gatewayUrl)
                    .append(example.path()).append("\n");
        }
        return out.toString();
    }

    /** The URL a person on this machine uses: loopback when the servers listen on every address. */
    private static String localUrl(Settings settings, int port) {
        String host = settings.bindHost();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = "127.0.0.1";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + port;
    }

    /** Polls until the request answers 200, or fails naming what did not come up and the last answer seen. */
    private static void awaitStatus(HttpClient http, HttpRequest.Builder request, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        HttpRequest built = request.timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException("interrupted while waiting for " + what, e);
            }
            sleep(Duration.ofMillis(200));
        }
        throw new LaunchException(what + " did not answer 200 within " + timeout.toSeconds() + " s; last: " + last);
    }

    /**
     * Per user, not per checkout: the local PostgreSQL's {@code tollgate_dev} is shared by every checkout on the
     * machine, and its admin exists once, so every checkout must log in with the same generated password.
     */
    private static Path credentialsFile() {
        return Path.of(System.getProperty("user.home"), ".tollgate", "dev-credentials.properties");
    }

    private int demoPort() {
        String value = env.get(DEMO_PORT);
        if (value == null || value.isBlank()) {
            return DEFAULT_DEMO_PORT;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new LaunchException(DEMO_PORT + " must be a whole number, got '" + value + "'");
        }
    }

    private synchronized void stopAll() {
        while (!stops.isEmpty()) {
            try {
                stops.pop().run();
            } catch (RuntimeException e) {
                System.err.println("while stopping: " + e);
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
