package io.tollgate.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.testing.TestDatabase;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Starting gateways on ephemeral ports against the test database, and waiting for what they serve. */
final class Gateways {
    private Gateways() {
    }

    static GatewayServer start(Path snapshotFile, Map<String, String> overrides) {
        return start(snapshotFile, overrides, java.time.Clock.systemUTC());
    }

    static GatewayServer start(Path snapshotFile, Map<String, String> overrides, java.time.Clock clock) {
        Map<String, String> values = new HashMap<>();
        values.put("TOLLGATE_GATEWAY_PORT", "0");
        values.put("TOLLGATE_MGMT_PORT", "0");
        values.put("TOLLGATE_BIND_HOST", "127.0.0.1");
        values.put("TOLLGATE_SNAPSHOT_FILE", snapshotFile.toString());
        values.put("TOLLGATE_DB_POOL_SIZE", "3");
        values.put("TOLLGATE_ACCESS_LOG", "jul"); // the tests read access lines from JUL (CapturedLogs)
        values.putAll(overrides);
        // Settings ignores the gateway-only keys; GatewaySettings reads them from the same map.
        return GatewayServer.start(TestDatabase.settings(values), values, clock);
    }

    static JsonNode ready(GatewayServer gateway) {
        try {
            RawHttp.Reply reply = RawHttp.get(gateway.mgmtPort(), "localhost", "/health/ready");
            JsonNode body = Json.mapper().readTree(reply.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) body).put("http_status", reply.status());
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the gateway serves at least {@code version}; fails after 10 s (a liveness bound, not a timing claim). */
    static void awaitVersion(GatewayServer gateway, long version) {
        await("config version " + version, () -> ready(gateway).path("config_version").asLong() >= version);
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting for " + what);
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }

    /** Every log line written while installed, from every logger, formatted with its parameters. */
    static final class CapturedLogs extends Handler implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();

        static CapturedLogs install() {
            CapturedLogs logs = new CapturedLogs();
            Logger.getLogger("").addHandler(logs);
            return logs;
        }

        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage();
            if (record.getParameters() != null) {
                message = new java.util.logging.SimpleFormatter().formatMessage(record);
            }
            lines.add(record.getLoggerName() + " " + message + (record.getThrown() == null ? "" : " " + record.getThrown()));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            Logger.getLogger("").removeHandler(this);
        }
    }
}
