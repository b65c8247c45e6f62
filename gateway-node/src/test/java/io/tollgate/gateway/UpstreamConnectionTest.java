package io.tollgate.gateway;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream connections are reused while busy and closed (not leaked) once dead. The upstream here counts the
 * connections it accepted and the ones still open from its side.
 */
class UpstreamConnectionTest extends WithGateway {

    /** Answers every request on a connection with a tiny 200 after a short pause, keeping the connection. */
    private static final class CountingUpstream implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        private final ServerSocket server;

        CountingUpstream() throws IOException {
            server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        accepted.incrementAndGet();
                        open.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(socket));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                int matched = 0;
                for (int b = in.read(); b != -1; b = in.read()) {
                    // a request without body ends at the blank line
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                    if (matched == 4) {
                        matched = 0;
                        Thread.sleep(20);
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // connection gone
            } finally {
                open.decrementAndGet();
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static int burst(ExecutorService pool, Seed.TenantRows tenant, int size) throws Exception {
        List<Future<Integer>> replies = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            replies.add(pool.submit(() -> RawHttp.get(gateway.port(), tenant.host, "/c").status()));
        }
        int ok = 0;
        for (Future<Integer> reply : replies) {
            ok += reply.get() == 200 ? 1 : 0;
        }
        return ok;
    }

    @Test
    void connectionsAreReusedAcrossBursts() throws Exception {
        try (CountingUpstream upstream = new CountingUpstream();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var t = Seed.tenant();
            t.route(t.service(upstream.url(), 1000, 30_000, 0), "/c", "none");
            Gateways.awaitVersion(gateway, t.save());

            assertThat(burst(pool, t, 20)).isEqualTo(20);
            int afterFirst = upstream.accepted.get();
            for (int i = 0; i < 3; i++) {
                assertThat(burst(pool, t, 20)).isEqualTo(20);
            }

            assertThat(afterFirst).isBetween(1, 20);
            // later bursts find the first burst's connections in the pool
            assertThat(upstream.accepted.get()).isLessThan(afterFirst + 20);
        }
    }

    @Test
    void connectionsIdlePastTheReadTimeoutAreClosedNotLeaked() throws Exception {
        try (CountingUpstream upstream = new CountingUpstream();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var t = Seed.tenant();
            // 300 ms read timeout: WebClient gives up on a connection idle that long
            t.route(t.service(upstream.url(), 1000, 300, 0), "/c", "none");
            Gateways.awaitVersion(gateway, t.save());

            for (int round = 0; round < 4; round++) {
                assertThat(burst(pool, t, 20)).isEqualTo(20);
                Thread.sleep(800);
            }
            // whatever was given up on has been closed by the gateway, so the upstream sees it closed
            Gateways.await("dead upstream connections closed", () -> upstream.open.get() <= 20);

            assertThat(upstream.open.get()).isLessThanOrEqualTo(20);
        }
    }
}
