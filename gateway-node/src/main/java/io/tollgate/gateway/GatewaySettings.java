package io.tollgate.gateway;

import io.tollgate.common.settings.Settings;
import io.tollgate.gateway.tls.TlsSettings;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Gateway-only settings, read next to the shared {@link Settings}:
 * {@code TOLLGATE_SNAPSHOT_FILE} (default {@code var/gateway-snapshot.json}), {@code TOLLGATE_NODE_ID}
 * (default host name plus a random suffix), {@code TOLLGATE_HEARTBEAT_MS} (3000) and
 * {@code TOLLGATE_NODE_LIVE_MS} (10000: a node heard from within this window shares the rate limits) and
 * {@code TOLLGATE_USAGE_FLUSH_MS} (5000: how often usage, quota counts and denied-request events are written) and
 * {@code TOLLGATE_ACCESS_LOG} ({@code stdout}, a file path, {@code jul} or {@code off}; see AccessLog) and
 * {@code TOLLGATE_CACHE_MAX_BYTES} (64 MiB: what the response cache may hold) and
 * {@code TOLLGATE_CACHE_MAX_ENTRY_BYTES} (1 MiB: the largest body it stores; larger ones stream through) and
 * {@code TOLLGATE_WS_IDLE_TIMEOUT_MS} (300000: a WebSocket connection with no byte either way for this long is
 * closed on both sides) and {@code TOLLGATE_EVENT_LOOPS} (the number of event loops serving the plain gateway port,
 * default the number of processors; 0 serves it with Helidon alone: io.tollgate.gateway.loop.FrontDoor) and
 * {@code TOLLGATE_CLIENT_IDLE_MS} (300000: a client connection idle this long between requests is closed) and the
 * HTTPS listener's {@code TOLLGATE_TLS_*} settings ({@link TlsSettings}; empty when it
 * is off).
 */
record GatewaySettings(Path snapshotFile, String nodeId, String host, Duration heartbeatInterval,
                       Duration nodeLiveWindow, Duration usageFlushInterval, String accessLog, Duration drainUnready,
                       Duration drainTimeout, long cacheMaxBytes, long cacheMaxEntryBytes, Duration wsIdleTimeout,
                       int eventLoops, Duration clientIdleTimeout, Optional<TlsSettings> tls) {

    static final Path DEFAULT_SNAPSHOT_FILE = Path.of("var", "gateway-snapshot.json");
    static final long DEFAULT_EVENT_LOOPS = Runtime.getRuntime().availableProcessors();

    static GatewaySettings from(Settings settings, Map<String, String> env) {
        String host = hostName();
        return new GatewaySettings(
                settings.snapshotFile().map(Path::of).orElse(DEFAULT_SNAPSHOT_FILE),
                settings.nodeId().orElse(host + "-" + UUID.randomUUID().toString().substring(0, 8)),
                host,
                Duration.ofMillis(millis(env, "TOLLGATE_HEARTBEAT_MS", 3000)),
                Duration.ofMillis(millis(env, "TOLLGATE_NODE_LIVE_MS", 10_000)),
                Duration.ofMillis(millis(env, "TOLLGATE_USAGE_FLUSH_MS", 5000)),
                env.getOrDefault("TOLLGATE_ACCESS_LOG", "stdout"),
                // shutdown: readiness down while still serving, then refuse new requests and wait for in-flight
                Duration.ofMillis(millis(env, "TOLLGATE_DRAIN_UNREADY_MS", 0)),
                Duration.ofMillis(millis(env, "TOLLGATE_DRAIN_TIMEOUT_MS", 30_000)),
                number(env, "TOLLGATE_CACHE_MAX_BYTES", 64L << 20, 1L << 40, "a number of bytes"),
                // a stored body is one byte array, and Caffeine weighs an entry with an int
                number(env, "TOLLGATE_CACHE_MAX_ENTRY_BYTES", 1L << 20, 1L << 30, "a number of bytes"),
                Duration.ofMillis(millis(env, "TOLLGATE_WS_IDLE_TIMEOUT_MS", 300_000)),
                (int) number(env, "TOLLGATE_EVENT_LOOPS", DEFAULT_EVENT_LOOPS, 64, "a whole number"),
                Duration.ofMillis(millis(env, "TOLLGATE_CLIENT_IDLE_MS", 300_000)),
                TlsSettings.from(env));
    }

    private static long number(Map<String, String> env, String name, long fallback, long max, String what) {
        Optional<String> value = Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.get());
            if (parsed < 0 || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + what + " from 0 to " + max + ", got '"
                    + value.get() + "'");
        }
    }

    private static long millis(Map<String, String> env, String name, long fallback) {
        Optional<String> value = Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
        if (value.isEmpty()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.get());
            if (parsed <= 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive number of milliseconds, got '" + value.get() + "'");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown-host";
        }
    }
}
