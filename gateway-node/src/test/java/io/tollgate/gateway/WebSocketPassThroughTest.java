package io.tollgate.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * WebSocket upgrade pass-through against a real WebSocket echo server on port 0 ({@link WebSocketEcho}): the
 * upgrade is authenticated, rate-limited and counted like a request, then bytes are spliced both ways until one side
 * closes or the idle timeout ({@value #IDLE_MS} ms here) passes.
 */
class WebSocketPassThroughTest {
    private static final int IDLE_MS = 2000;

    @TempDir
    static Path dir;
    static GatewayServer gateway;
    static WebSocketEcho echo;

    @BeforeAll
    static void start() throws IOException {
        echo = new WebSocketEcho();
        gateway = Gateways.start(dir.resolve("snapshot.json"),
                Map.of("TOLLGATE_WS_IDLE_TIMEOUT_MS", Integer.toString(IDLE_MS)));
    }

    @AfterAll
    static void stop() throws IOException {
        gateway.stop();
        echo.close();
    }

    /** A tenant with one keyed WebSocket route on a path of its own (any Host), and its key. */
    private record Setup(Seed.TenantRows tenant, String path, Seed.Key key) {
    }

    private static Setup setup(Integer ratePerSecond) {
        return setup(Seed.tenant(), ratePerSecond);
    }

    private static Setup setup(Seed.TenantRows t, Integer ratePerSecond) {
        String path = "/" + Seed.unique("ws");
        t.routeAnyHost(t.service(echo.url()), path, "api-key", ratePerSecond);
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        return new Setup(t, path, key);
    }

    @Test
    void echoWorksThroughTheGatewayWithAKey() throws Exception {
        Setup s = setup(null);
        Collector collector = new Collector();
        try (var logs = Gateways.CapturedLogs.install()) {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .header("X-API-Key", s.key().plaintext())
                    .buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + s.path() + "/echo"), collector)
                    .get(10, TimeUnit.SECONDS);
            for (int i = 1; i <= 5; i++) {
                ws.sendText("hello " + i, true).get(10, TimeUnit.SECONDS);
                assertThat(collector.next()).isEqualTo("hello " + i);
            }
            byte[] binary = {0, 1, 2, (byte) 0xFF, (byte) 0x80, 42};
            ws.sendBinary(ByteBuffer.wrap(binary), true).get(10, TimeUnit.SECONDS);
            assertThat((byte[]) collector.next()).isEqualTo(binary);

            byte[] big = new byte[1 << 20];
            ThreadLocalRandom.current().nextBytes(big);
            ws.sendBinary(ByteBuffer.wrap(big), true).get(10, TimeUnit.SECONDS);
            assertThat((byte[]) collector.next()).isEqualTo(big);

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
            assertThat(collector.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);

            // the upstream saw the handshake fields, not the client's credential
            assertThat(echo.lastHandshake).containsKey("sec-websocket-key").containsEntry("upgrade", "websocket")
                    .doesNotContainKey("x-api-key");
            // the access log line is written at close, with status 101 and the bytes each way
            Gateways.await("the access-log line of the WebSocket", () -> logs.lines.stream()
                    .anyMatch(l -> l.startsWith("tollgate.access") && l.contains(s.path())));
            String line = logs.lines.stream().filter(l -> l.startsWith("tollgate.access") && l.contains(s.path()))
                    .findFirst().orElseThrow();
            assertThat(line).contains("\"status\":101");
            assertThat(bytes(line, "bytes_in")).isGreaterThan(1 << 20);
            assertThat(bytes(line, "bytes_out")).isGreaterThan(1 << 20);
        }
    }

    @Test
    void withoutAKeyTheUpgradeIs401AndNoUpstreamConnectionIsMade() throws IOException {
        Setup s = setup(null);
        int before = echo.accepted.get();
        try (Socket socket = handshake(s.path() + "/echo", null)) {
            Head head = readHead(socket.getInputStream());
            assertThat(head.statusLine).startsWith("HTTP/1.1 401");
            assertThat(head.text).containsIgnoringCase("application/problem+json").containsIgnoringCase("connection: close");
            // the connection ends after the refusal
            assertThat(readToEnd(socket.getInputStream())).contains("\"status\":401");
        }
        assertThat(echo.accepted.get()).isEqualTo(before);
    }

    @Test
    void theRateLimitAppliesToUpgrades() throws IOException {
        Setup s = setup(1);   // 1 per second, burst 1
        try (Socket first = handshake(s.path() + "/echo", s.key().plaintext())) {
            assertThat(readHead(first.getInputStream()).statusLine).startsWith("HTTP/1.1 101");
            Socket second = handshake(s.path() + "/echo", s.key().plaintext());
            Head refused = readHead(second.getInputStream());
            second.close();
            assertThat(refused.statusLine).startsWith("HTTP/1.1 429");
            assertThat(refused.text).containsIgnoringCase("retry-after");
        }
    }

    @Test
    void anUpgradeSpendsOneRequestOfTheQuota() throws IOException {
        Setup s = setup(Seed.tenant().quota(1L, "day"), null);
        int before = echo.accepted.get();
        try (Socket first = handshake(s.path() + "/echo", s.key().plaintext())) {
            assertThat(readHead(first.getInputStream()).statusLine).startsWith("HTTP/1.1 101");
            try (Socket second = handshake(s.path() + "/echo", s.key().plaintext())) {
                Head refused = readHead(second.getInputStream());
                assertThat(refused.statusLine).startsWith("HTTP/1.1 429");
                assertThat(readToEnd(second.getInputStream())).contains("quota-exceeded");
            }
        }
        assertThat(echo.accepted.get()).isEqualTo(before + 1);
    }

    @Test
    void stoppingTheNodeClosesOpenWebSockets() throws IOException {
        GatewayServer other = Gateways.start(dir.resolve("other.json"), Map.of());
        try {
            var t = Seed.tenant();
            String path = "/" + Seed.unique("ws");
            t.routeAnyHost(t.service(echo.url()), path, "api-key", null);
            Seed.Key key = t.key();
            Gateways.awaitVersion(other, t.save());
            int openBefore = echo.open.get();
            try (Socket socket = new Socket("127.0.0.1", other.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET " + path + "/echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-API-Key: " + key.plaintext()
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(readHead(socket.getInputStream()).statusLine).startsWith("HTTP/1.1 101");
                other.stop();   // the default idle timeout is 5 minutes: only the stop can end it within the bound
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            Gateways.await("the upstream side closed", () -> echo.open.get() <= openBefore);
        } finally {
            other.stop();
        }
    }

    @Test
    void theIdleTimeoutClosesBothSides() throws IOException {
        Setup s = setup(null);
        int openBefore = echo.open.get();
        try (Socket socket = handshake(s.path() + "/echo", s.key().plaintext())) {
            assertThat(readHead(socket.getInputStream()).statusLine).startsWith("HTTP/1.1 101");
            assertThat(echo.open.get()).isGreaterThan(openBefore);
            socket.setSoTimeout(IDLE_MS * 10);   // a liveness bound: the gateway closes well before
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        Gateways.await("the upstream side closed", () -> echo.open.get() <= openBefore);
    }

    @Test
    void theUpstreamClosingClosesTheClient() throws IOException {
        Setup s = setup(null);
        try (Socket socket = handshake(s.path() + "/hangup", s.key().plaintext())) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            assertThat(readHead(in).statusLine).startsWith("HTTP/1.1 101");
            clientFrame(socket.getOutputStream(), 0x81, "once".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readUnsignedByte()).isEqualTo(0x81);
            assertThat(in.readUnsignedByte()).isEqualTo(4);
            assertThat(new String(in.readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("once");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void anUpstreamRefusingTheUpgradeIsPassedThrough() throws IOException {
        Setup s = setup(null);
        try (Socket socket = handshake(s.path() + "/refuse", s.key().plaintext())) {
            Head head = readHead(socket.getInputStream());
            assertThat(head.statusLine).startsWith("HTTP/1.1 403");
            assertThat(head.text).containsIgnoringCase("content-length: 7");
            assertThat(new String(socket.getInputStream().readNBytes(7), StandardCharsets.UTF_8)).isEqualTo("no, sir");
        }
    }

    @Test
    void metricsCountUpgradesByResultAndNoConnectionIsLeft() throws IOException {
        Setup s = setup(null);
        try (Socket ok = handshake(s.path() + "/echo", s.key().plaintext());
             Socket noKey = handshake(s.path() + "/echo", null);
             Socket refused = handshake(s.path() + "/refuse", s.key().plaintext())) {
            // no rate limit on this route: the order they arrive in does not matter
            assertThat(readHead(ok.getInputStream()).statusLine).startsWith("HTTP/1.1 101");
            assertThat(readHead(noKey.getInputStream()).statusLine).startsWith("HTTP/1.1 401");
            assertThat(readHead(refused.getInputStream()).statusLine).startsWith("HTTP/1.1 403");
            assertThat(metrics()).containsPattern("tollgate_websocket_connections [1-9]");
        }
        String labels = "tenant=\"" + s.tenant().slug + "\",route=\"" + s.tenant().routes.getFirst().name() + "\"";
        Gateways.await("the counted upgrades", () -> metrics().contains(
                "tollgate_websocket_upgrades_total{" + labels + ",result=\"declined\"} 1"));
        String metrics = metrics();
        assertThat(metrics).contains("tollgate_websocket_upgrades_total{" + labels + ",result=\"upgraded\"} 1")
                .contains("tollgate_websocket_upgrades_total{" + labels + ",result=\"rejected\"} 1");
        // every splice ended: the gauge is back to 0 and the upstream holds no connection
        Gateways.await("no WebSocket left open", () -> metrics().contains("tollgate_websocket_connections 0\n")
                && echo.open.get() == 0);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static String metrics() {
        try {
            return RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long bytes(String line, String field) {
        int at = line.indexOf("\"" + field + "\":") + field.length() + 3;
        int end = at;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        return Long.parseLong(line.substring(at, end));
    }

    /** A raw client upgrade request; {@code apiKey} null sends none. */
    private static Socket handshake(String path, String apiKey) throws IOException {
        Socket socket = new Socket("127.0.0.1", gateway.port());
        socket.setSoTimeout(10_000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + (apiKey == null ? "" : "X-API-Key: " + apiKey + "\r\n") + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private record Head(String statusLine, String text) {
    }

    /** Reads the response head byte by byte, so that nothing after it is consumed. */
    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.write(b);
            byte[] sofar = head.toByteArray();
            int n = sofar.length;
            if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                return new Head(text.substring(0, text.indexOf("\r\n")), text);
            }
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** A masked frame, as a client sends it. */
    private static void clientFrame(OutputStream out, int firstByte, byte[] payload) throws IOException {
        byte[] mask = {1, 2, 3, 4};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(firstByte);
        frame.write(0x80 | payload.length);   // short payloads only
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** Whole messages in arrival order (text as String, binary as byte[]), and the close code. */
    private static final class Collector implements WebSocket.Listener {
        private final LinkedBlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();

        Object next() throws InterruptedException {
            Object message = messages.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a message within the liveness bound").isNotNull();
            return message;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
