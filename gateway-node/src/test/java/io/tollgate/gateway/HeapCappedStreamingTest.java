package io.tollgate.gateway;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.db.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 50 MB upload and a 50 MB download stream through a gateway node running in its own JVM with the heap capped
 * at 64 MB (stricter than the 256 MB the issue names: a gateway that buffered a body could not fit it). The
 * upload side generates and digests bytes as they flow, so only the gateway could run out of memory.
 */
class HeapCappedStreamingTest {
    private static final long SIZE = 50L * 1024 * 1024;

    @TempDir
    static Path dir;
    static HttpServer upstream;
    static Process gateway;
    static int gatewayPort;
    static Seed.TenantRows tenant;

    @BeforeAll
    static void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        upstream.createContext("/", exchange -> {
            try (exchange) {
                if ("POST".equals(exchange.getRequestMethod())) {
                    byte[] body = digest(exchange.getRequestBody()).getBytes(StandardCharsets.US_ASCII);
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } else {
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        generated(SIZE).transferTo(out);
                    }
                }
            }
        });
        upstream.start();

        gatewayPort = freePort();
        int mgmtPort = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), GatewayMain.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.log").toFile());
        builder.environment().putAll(TestDatabase.environment());
        builder.environment().putAll(Map.of("TOLLGATE_GATEWAY_PORT", Integer.toString(gatewayPort),
                "TOLLGATE_MGMT_PORT", Integer.toString(mgmtPort), "TOLLGATE_BIND_HOST", "127.0.0.1",
                "TOLLGATE_SNAPSHOT_FILE", dir.resolve("snapshot.json").toString(), "TOLLGATE_DB_POOL_SIZE", "3"));
        gateway = builder.start();

        tenant = Seed.tenant();
        tenant.route(tenant.service("http://127.0.0.1:" + upstream.getAddress().getPort()), "/", "none");
        long version = tenant.save();
        // A JVM of its own starts slower than an in-process server; allow a generous liveness bound.
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!applied(mgmtPort, version)) {
            if (System.nanoTime() > deadline || !gateway.isAlive()) {
                throw new AssertionError("the heap-capped gateway did not apply config version " + version + ":\n"
                        + java.nio.file.Files.readString(dir.resolve("gateway.log")));
            }
            Thread.sleep(100);
        }
    }

    private static boolean applied(int mgmtPort, long version) {
        try {
            RawHttp.Reply ready = RawHttp.get(mgmtPort, "localhost", "/health/ready");
            return ready.status() == 200 && io.tollgate.common.json.Json.mapper().readTree(ready.text())
                    .path("config_version").asLong() >= version;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (gateway != null) {
            gateway.destroy();
            gateway.waitFor();
        }
        upstream.stop(0);
    }

    @Test
    void fiftyMegabytesStreamBothWaysThroughA64MegabyteHeap() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", gatewayPort)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: " + tenant.host + "\r\nContent-Length: " + SIZE
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            generated(SIZE).transferTo(out);
            out.flush();
            RawHttp.Reply uploaded = RawHttp.read(socket.getInputStream(), "POST");
            assertThat(uploaded.status()).as(uploaded.text()).isEqualTo(200);
            assertThat(uploaded.text()).isEqualTo(digest(generated(SIZE)));
        }

        // The test's own JVM is not capped: holding the downloaded copy here is fine.
        RawHttp.Reply downloaded = RawHttp.get(gatewayPort, tenant.host, "/download");
        assertThat(downloaded.status()).isEqualTo(200);
        assertThat(downloaded.body()).hasSize((int) SIZE);
        assertThat(digest(new java.io.ByteArrayInputStream(downloaded.body()))).isEqualTo(digest(generated(SIZE)));
        assertThat(gateway.isAlive()).as("the gateway survived both transfers").isTrue();
    }

    /** The same n pseudo-random bytes every time, produced as they are read. */
    static InputStream generated(long n) {
        return new InputStream() {
            private final SplittableRandom random = new SplittableRandom(42);
            private long left = n;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                int count = (int) Math.min(len, left);
                for (int i = 0; i < count; i++) {
                    b[off + i] = (byte) random.nextInt(256);
                }
                left -= count;
                return count;
            }
        };
    }

    static String digest(InputStream in) throws IOException {
        try (in) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
