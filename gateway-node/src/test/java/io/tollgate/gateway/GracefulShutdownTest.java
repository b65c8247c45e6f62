package io.tollgate.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Stopping a node (what SIGTERM does): unready first, then no new requests, and no request in flight cut. */
class GracefulShutdownTest {
    @TempDir
    Path dir;

    @Test
    void stopReportsUnreadyRefusesNewRequestsAndLetsEveryRequestInFlightFinish() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        String body = "x".repeat(100_000);
        try (Upstream slow = Upstream.heldUntil(answer, body);
             Upstream fast = Upstream.ok();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            // half a second of readiness down while still serving, then refuse; up to 20 s for requests in flight
            GatewayServer gateway = Gateways.start(dir.resolve("snapshot.json"),
                    Map.of("TOLLGATE_DRAIN_UNREADY_MS", "500", "TOLLGATE_DRAIN_TIMEOUT_MS", "20000"));
            var t = Seed.tenant();
            t.route(t.service(slow.url()), "/s", "none");
            t.route(t.service(fast.url()), "/f", "none");
            Gateways.awaitVersion(gateway, t.save());
            int port = gateway.port();
            int mgmtPort = gateway.mgmtPort();

            List<Future<RawHttp.Reply>> inFlight = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                inFlight.add(clients.submit(() -> RawHttp.get(port, t.host, "/s")));
            }
            Gateways.await("five requests at the upstream", () -> slow.seen.size() == 5);

            Future<?> stopping = clients.submit(gateway::stop);
            Gateways.await("readiness to go down", () -> {
                try {
                    return RawHttp.get(mgmtPort, "localhost", "/health/ready").status() == 503;
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(RawHttp.get(mgmtPort, "localhost", "/health/ready").text()).contains("DRAINING");
            // past the unready period new requests are refused (before: still served) while the five still run
            Gateways.await("new requests to be refused", () -> {
                try {
                    RawHttp.Reply reply = RawHttp.get(port, t.host, "/f");
                    return reply.status() == 503 && reply.text().contains("/unavailable");
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(stopping.isDone()).isFalse();
            assertThat(inFlight).noneMatch(Future::isDone);

            answer.countDown();
            stopping.get(20, TimeUnit.SECONDS);

            for (Future<RawHttp.Reply> reply : inFlight) {
                assertThat(reply.isDone()).isTrue();
                assertThat(reply.get().status()).isEqualTo(200);
                assertThat(reply.get().text()).isEqualTo(body);
            }
            assertThat(slow.seen).hasSize(5);
            // and the node is gone
            assertThat(catchThrowable(() -> RawHttp.get(port, t.host, "/f"))).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void requestsStillAtTheUpstreamAfterTheDrainTimeoutAreRecordedAsAborted() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Path accessLog = dir.resolve("access.log");
        try (Upstream stuck = Upstream.heldUntil(never, "late");
             Upstream fast = Upstream.ok();
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
             java.net.Socket keptAlive = new java.net.Socket()) {
            GatewayServer gateway = Gateways.start(dir.resolve("snapshot.json"), Map.of(
                    "TOLLGATE_DRAIN_UNREADY_MS", "100", "TOLLGATE_DRAIN_TIMEOUT_MS", "300",
                    "TOLLGATE_ACCESS_LOG", accessLog.toString()));
            var t = Seed.tenant();
            t.route(t.service(stuck.url()), "/stuck", "none");
            t.route(t.service(fast.url()), "/ok", "none");
            Gateways.awaitVersion(gateway, t.save());
            int port = gateway.port();
            clients.submit(() -> RawHttp.get(port, t.host, "/stuck/fresh"));
            // the other after a 200 on the same connection: it must not be recorded with that one's status
            keptAlive.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            keptAlive.setSoTimeout(10_000);
            String host = "Host: " + t.host + "\r\n\r\n";
            keptAlive.getOutputStream().write(("GET /ok HTTP/1.1\r\n" + host).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(RawHttp.read(keptAlive.getInputStream(), "GET").status()).isEqualTo(200);
            keptAlive.getOutputStream().write(("GET /stuck/kept HTTP/1.1\r\n" + host)
                    .getBytes(StandardCharsets.ISO_8859_1));
            Gateways.await("two requests at the upstream", () -> stuck.seen.size() == 2);

            gateway.stop();   // the event loops hold both; the drain gives up on them after 300 ms

            List<String> lines = java.nio.file.Files.readAllLines(accessLog);
            assertThat(lines).filteredOn(l -> l.contains("/stuck/")).hasSize(2)
                    .allMatch(l -> l.contains("\"aborted\":true"))
                    .noneMatch(l -> l.contains("\"status\":200"));
            never.countDown();
        }
    }

    @Test
    void sigtermDrainsTheNodeBeforeTheProcessExits() throws Exception {
        CountDownLatch answer = new CountDownLatch(1);
        try (Upstream slow = Upstream.heldUntil(answer, "done");
             ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            var t = Seed.tenant();
            t.route(t.service(slow.url()), "/s", "none");
            long version = t.save();

            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-cp", System.getProperty("java.class.path"), GatewayMain.class.getName());
            builder.environment().putAll(io.tollgate.db.testing.TestDatabase.environment());
            builder.environment().putAll(Map.of("TOLLGATE_GATEWAY_PORT", "0", "TOLLGATE_MGMT_PORT", "0",
                    "TOLLGATE_BIND_HOST", "127.0.0.1", "TOLLGATE_SNAPSHOT_FILE", dir.resolve("s.json").toString(),
                    "TOLLGATE_DB_POOL_SIZE", "2", "TOLLGATE_DRAIN_UNREADY_MS", "300",
                    "TOLLGATE_DRAIN_TIMEOUT_MS", "20000"));
            builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process node = builder.start();
            try {
                int[] ports = ports(node);
                Gateways.await("the node to serve version " + version, () -> {
                    try {
                        RawHttp.Reply ready = RawHttp.get(ports[1], "localhost", "/health/ready");
                        return ready.status() == 200 && io.tollgate.common.json.Json.mapper().readTree(ready.body())
                                .path("config_version").asLong() >= version;
                    } catch (IOException e) {
                        return false;
                    }
                });
                List<Future<RawHttp.Reply>> inFlight = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    inFlight.add(clients.submit(() -> RawHttp.get(ports[0], t.host, "/s")));
                }
                Gateways.await("three requests at the upstream", () -> slow.seen.size() == 3);

                node.destroy();  // SIGTERM
                Gateways.await("readiness to go down", () -> {
                    try {
                        return RawHttp.get(ports[1], "localhost", "/health/ready").status() == 503;
                    } catch (IOException e) {
                        return false;
                    }
                });
                assertThat(node.isAlive()).isTrue();
                answer.countDown();

                assertThat(node.waitFor(20, TimeUnit.SECONDS)).isTrue();
                for (Future<RawHttp.Reply> reply : inFlight) {
                    assertThat(reply.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
                    assertThat(reply.get().text()).isEqualTo("done");
                }
            } finally {
                node.destroyForcibly();
            }
        }
    }

    /** Reads the gateway and management ports from the line GatewayMain prints when it listens. */
    private static int[] ports(Process node) throws IOException {
        java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(node.getErrorStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        java.util.regex.Pattern listening = java.util.regex.Pattern.compile(
                "tollgate gateway listening on (\\d+), management on (\\d+)");
        for (String line = err.readLine(); line != null; line = err.readLine()) {
            java.util.regex.Matcher m = listening.matcher(line);
            if (m.find()) {
                int[] ports = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
                // keep draining stderr so the node never blocks on a full pipe
                Thread.ofVirtual().start(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the node exited
                    }
                });
                return ports;
            }
        }
        throw new AssertionError("the node exited before listening");
    }
}
