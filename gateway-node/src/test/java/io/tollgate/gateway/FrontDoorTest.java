package io.tollgate.gateway;

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
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plain gateway port served by event loops (io.tollgate.gateway.loop): keep-alive and pipelined requests on
 * one connection, upstream connections reused, answers of every framing passed on whole, a broken-off body seen as
 * a cut connection, and a connection handed to Helidon part-way (a request with a body) with the client's own
 * address still forwarded. Real sockets; the client connects from 127.0.0.2 so that the address is not the
 * gateway's own.
 */
class FrontDoorTest {
    /** More than loopback socket buffers hold, so that a client that lags makes the gateway hold back. */
    private static final byte[] BIG = bytes(16 * 1024 * 1024);
    private static final byte[] SOME = bytes(4 * 1024 * 1024);

    @TempDir
    static Path dir;
    static GatewayServer gateway;
    static Upstream upstream;

    @BeforeAll
    static void start() throws IOException {
        gateway = Gateways.start(dir.resolve("snapshot.json"), Map.of("TOLLGATE_EVENT_LOOPS", "2"));
        upstream = Upstream.answering(exchange -> {
            String path = exchange.getRequestURI().getRawPath();
            if (path.endsWith("/chunked")) {
                exchange.sendResponseHeaders(200, 0);   // the JDK server then sends chunks
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < BIG.length; i += 100_000) {
                        out.write(BIG, i, Math.min(100_000, BIG.length - i));
                    }
                }
                return;
            }
            if (path.endsWith("/smallchunks")) {
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int i = 0; i < SOME.length; i += 300) {
                        out.write(SOME, i, Math.min(300, SOME.length - i));
                        out.flush();   // each write its own chunk: many chunks to each upstream read
                    }
                }
                return;
            }
            if (path.endsWith("/big")) {
                exchange.sendResponseHeaders(200, BIG.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(BIG);
                }
                return;
            }
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Content-Length", "17");   // the JDK server wants it by hand
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            String body = exchange.getRequestMethod() + " " + path + " "
                    + exchange.getRequestHeaders().getFirst("X-Forwarded-For") + " "
                    + new String(Upstream.body(exchange), StandardCharsets.UTF_8);
            Upstream.send(exchange, 200, body);
        });
    }

    @AfterAll
    static void stop() {
        upstream.close();
        gateway.stop();
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        return bytes;
    }

    private static Seed.TenantRows tenantWith(String upstreamUrl) {
        Seed.TenantRows t = Seed.tenant();
        t.route(t.service(upstreamUrl), "/fd", "none");
        Gateways.awaitVersion(gateway, t.save());
        return t;
    }

    private static Socket connect() throws IOException {
        return connect(0);
    }

    /** A client socket from 127.0.0.2; {@code receiveBuffer} > 0 sets its receive buffer (and so its window). */
    private static Socket connect(int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.bind(new InetSocketAddress("127.0.0.2", 0));
        socket.connect(new InetSocketAddress("127.0.0.1", gateway.port()));
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static String get(String host, String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    @Test
    void keepAliveRequestsShareOneClientConnectionAndOneUpstreamConnection() throws IOException {
        try (Upstream own = Upstream.answering(exchange -> Upstream.send(exchange, 200,
                exchange.getRequestURI().getRawPath()))) {
            Seed.TenantRows t = tenantWith(own.url());
            try (Socket socket = connect()) {
                InputStream in = socket.getInputStream();
                for (int i = 0; i < 5; i++) {
                    write(socket, get(t.host, "/fd/one/" + i));
                    RawHttp.Reply reply = RawHttp.read(in, "GET");
                    assertThat(reply.status()).isEqualTo(200);
                    assertThat(reply.text()).isEqualTo("/fd/one/" + i);
                    assertThat(reply.header("Connection")).isEqualTo("keep-alive");
                    assertThat(reply.header("X-Request-Id")).isNotBlank();
                    assertThat(reply.header("Date")).isNotBlank();
                }
            }
            // one request at a time from one client connection (one loop): one upstream connection for all five
            assertThat(own.connections).hasSize(1);
            assertThat(gateway.handover().active()).as("served on the loop, never handed over").isZero();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        Seed.TenantRows t = tenantWith(upstream.url());
        try (Socket socket = connect()) {
            write(socket, get(t.host, "/fd/p/1") + get(t.host, "/fd/p/2") + get(t.host, "/fd/p/3"));
            InputStream in = socket.getInputStream();
            for (int i = 1; i <= 3; i++) {
                assertThat(RawHttp.read(in, "GET").text()).isEqualTo("GET /fd/p/" + i + " 127.0.0.2 ");
            }
        }
    }

    @Test
    void aRequestWithABodyGoesToHelidonOnTheSameConnectionWithTheClientAddress() throws IOException {
        Seed.TenantRows t = tenantWith(upstream.url());
        try (Socket socket = connect()) {
            InputStream in = socket.getInputStream();
            write(socket, get(t.host, "/fd/first"));
            assertThat(RawHttp.read(in, "GET").text()).isEqualTo("GET /fd/first 127.0.0.2 ");
            assertThat(gateway.handover().active()).isZero();
            // a body is Helidon's to read: the rest of the connection is handed over, this request included
            write(socket, "POST /fd/second HTTP/1.1\r\nHost: " + t.host + "\r\nContent-Length: 5\r\n\r\nhello");
            RawHttp.Reply posted = RawHttp.read(in, "POST");
            assertThat(posted.status()).isEqualTo(200);
            assertThat(posted.text()).isEqualTo("POST /fd/second 127.0.0.2 hello");
            assertThat(gateway.handover().active()).as("the connection went to Helidon").isEqualTo(1);
            write(socket, get(t.host, "/fd/third"));
            assertThat(RawHttp.read(in, "GET").text()).isEqualTo("GET /fd/third 127.0.0.2 ");
        }
    }

    @Test
    void aProxyLineFromAnyoneButTheFrontDoorIsNotBelieved() throws IOException {
        Seed.TenantRows t = tenantWith(upstream.url());
        int before = upstream.seen.size();
        // a local process that reaches Helidon's internal listener directly and claims to be 10.9.9.9
        try (Socket socket = new Socket("127.0.0.1", gateway.internalPort())) {
            socket.setSoTimeout(10_000);
            write(socket, "PROXY TCP4 10.9.9.9 127.0.0.1 5555 80\r\n" + get(t.host, "/fd/spoofed"));
            RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "GET");
            assertThat(reply.status()).isEqualTo(403);
            assertThat(reply.text()).contains("/forbidden");
        }
        assertThat(upstream.seen).hasSize(before);
        // the front door's own hand-over still carries the real client's address (127.0.0.2)
        try (Socket socket = connect()) {
            write(socket, "POST /fd/real HTTP/1.1\r\nHost: " + t.host + "\r\nContent-Length: 2\r\n\r\nok");
            assertThat(RawHttp.read(socket.getInputStream(), "POST").text()).isEqualTo("POST /fd/real 127.0.0.2 ok");
        }
    }

    @Test
    void largeAndChunkedAnswersArriveWholeThroughASlowReader() throws Exception {
        Seed.TenantRows t = tenantWith(upstream.url());
        try (Socket socket = connect()) {
            InputStream in = socket.getInputStream();
            write(socket, get(t.host, "/fd/big"));
            Thread.sleep(300);   // the client lags: the gateway must hold back, not lose or buffer without end
            RawHttp.Reply big = RawHttp.read(in, "GET");
            assertThat(big.header("Content-Length")).isEqualTo(Integer.toString(BIG.length));
            assertThat(Arrays.equals(big.body(), BIG)).isTrue();

            write(socket, get(t.host, "/fd/chunked"));
            RawHttp.Reply chunked = RawHttp.read(in, "GET");
            assertThat(chunked.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(Arrays.equals(chunked.body(), BIG)).isTrue();
        }
    }

    @Test
    void manySmallChunksArriveWholeThroughAReaderThatKeepsPace() throws Exception {
        // The client reads while the gateway decodes several upstream chunks per read: a write that drains part of
        // the queue between two chunks must not leave the upstream paused with nobody to resume it.
        Seed.TenantRows t = tenantWith(upstream.url());
        for (int round = 0; round < 3; round++) {
            // a small window: the gateway's socket fills up at once and drains a little at a time
            try (Socket socket = connect(8 * 1024)) {
                write(socket, get(t.host, "/fd/smallchunks"));
                RawHttp.Reply reply = RawHttp.read(new Trickle(socket.getInputStream()), "GET");
                assertThat(reply.header("Transfer-Encoding")).isEqualTo("chunked");
                assertThat(Arrays.equals(reply.body(), SOME)).isTrue();
            }
        }
    }

    /** Hands out at most 2 KB per read and pauses now and then: a client slower than loopback, but reading. */
    private static final class Trickle extends java.io.FilterInputStream {
        private int reads;

        Trickle(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (++reads % 32 == 0) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            return super.read(b, off, Math.min(len, 2048));
        }
    }

    /** What a {@link #scripted} upstream does on its one connection, after it read the request head. */
    private interface Script {
        void answer(OutputStream out, InputStream in) throws IOException, InterruptedException;
    }

    /** An upstream of raw bytes: it takes one connection, reads the request head and runs {@code script}. */
    private static ServerSocket scripted(Script script) throws IOException {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                readHead(s.getInputStream());
                script.answer(s.getOutputStream(), s.getInputStream());
                s.getOutputStream().flush();
            } catch (IOException | InterruptedException ignored) {
                // the test fails on the client side if this did not happen
            }
        });
        return server;
    }

    /** An upstream that announces {@code length} bytes, sends {@code sent} of them and closes. */
    private static ServerSocket breakingOff(int length, int sent) throws IOException {
        return scripted((out, in) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(BIG, 0, sent);
        });
    }

    @Test
    void aSmallBodyBrokenOffBeforeItsEndIsA502() throws Exception {
        try (ServerSocket broken = breakingOff(100, 10)) {
            Seed.TenantRows t = tenantWith("http://127.0.0.1:" + broken.getLocalPort());
            try (Socket socket = connect()) {
                write(socket, get(t.host, "/fd/cut"));
                RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "GET");
                // nothing of the answer had left: the client gets a whole 502, not 10 bytes of a 100-byte body
                assertThat(reply.status()).isEqualTo(502);
                assertThat(reply.text()).contains("upstream-unavailable").contains(reply.header("X-Request-Id"));
            }
        }
    }

    @Test
    void aLargeBodyBrokenOffMidwayCutsTheClientConnection() throws Exception {
        try (ServerSocket broken = breakingOff(200_000, 50_000)) {
            Seed.TenantRows t = tenantWith("http://127.0.0.1:" + broken.getLocalPort());
            try (Socket socket = connect()) {
                write(socket, get(t.host, "/fd/cut"));
                byte[] all = socket.getInputStream().readAllBytes();   // ends at the cut, not at 200,000 bytes
                String text = new String(all, StandardCharsets.ISO_8859_1);
                assertThat(text).startsWith("HTTP/1.1 200 ").contains("Content-Length: 200000");
                int body = all.length - (text.indexOf("\r\n\r\n") + 4);
                assertThat(body).isEqualTo(50_000);
            }
        }
    }

    @Test
    void problemsAreAnsweredFromTheLoop() throws IOException {
        try (Socket socket = connect()) {
            write(socket, get("nobody.example", "/nowhere"));
            RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "GET");
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
            assertThat(reply.header("Cache-Control")).isEqualTo("no-store");
            assertThat(reply.text()).contains("no-route").contains(reply.header("X-Request-Id"));
        }
    }

    @Test
    void aMalformedRequestGetsHelidonsProblemAnswer() throws IOException {
        try (Socket socket = connect()) {
            write(socket, "GET /x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
            RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "GET");
            assertThat(reply.status()).isEqualTo(400);
        }
    }

    @Test
    void headAnswersKeepTheLengthAndAClientsConnectionCloseIsHonoured() throws IOException {
        Seed.TenantRows t = tenantWith(upstream.url());
        try (Socket socket = connect()) {
            write(socket, "HEAD /fd/h HTTP/1.1\r\nHost: " + t.host + "\r\n\r\n");
            RawHttp.Reply head = RawHttp.read(socket.getInputStream(), "HEAD");
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("17");
            write(socket, "GET /fd/last HTTP/1.1\r\nHost: " + t.host + "\r\nConnection: close\r\n\r\n");
            RawHttp.Reply last = RawHttp.read(socket.getInputStream(), "GET");
            assertThat(last.header("Connection")).isEqualTo("close");
            assertThat(socket.getInputStream().read()).as("closed after the answer").isEqualTo(-1);
        }
    }

    /** (Retries on the loop are RetryTest's: its GETs are served by the loops.) */
    @Test
    void aSlowUpstreamIs504() throws IOException {
        try (Upstream slow = Upstream.answering(exchange -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Upstream.send(exchange, 200, "late");
        })) {
            Seed.TenantRows t = Seed.tenant();
            t.route(t.service(slow.url(), 1000, 300, 0), "/fd-slow", "none");
            Gateways.awaitVersion(gateway, t.save());
            try (Socket socket = connect()) {
                write(socket, get(t.host, "/fd-slow/x"));
                RawHttp.Reply timedOut = RawHttp.read(socket.getInputStream(), "GET");
                assertThat(timedOut.status()).isEqualTo(504);
                assertThat(timedOut.text()).contains("upstream-timeout");
            }
        }
    }

    @Test
    void idleConnectionsTricklingHeadsAndClientsThatStopReadingAreClosed() throws Exception {
        GatewayServer quick = Gateways.start(dir.resolve("quick.json"),
                Map.of("TOLLGATE_EVENT_LOOPS", "1", "TOLLGATE_CLIENT_IDLE_MS", "1000"));
        try {
            Seed.TenantRows t = Seed.tenant();
            t.route(t.service(upstream.url()), "/fd", "none");
            Gateways.awaitVersion(quick, t.save());
            try (Socket idle = new Socket("127.0.0.1", quick.port());
                 Socket trickling = new Socket("127.0.0.1", quick.port());
                 Socket stalled = new Socket()) {
                stalled.setReceiveBufferSize(32 * 1024);
                stalled.connect(new InetSocketAddress("127.0.0.1", quick.port()));
                idle.setSoTimeout(10_000);
                trickling.setSoTimeout(10_000);
                write(stalled, get(t.host, "/fd/big"));   // and never read
                long started = System.nanoTime();
                byte[] head = get(t.host, "/fd/t").getBytes(StandardCharsets.ISO_8859_1);
                boolean cut = false;
                for (int i = 0; i < head.length - 1 && !cut; i++) {
                    // one byte every 200 ms keeps the connection busy, but the head must be whole within the limit
                    try {
                        trickling.getOutputStream().write(head[i]);
                        trickling.getOutputStream().flush();
                    } catch (IOException e) {
                        cut = true;
                    }
                    Thread.sleep(200);
                    if (System.nanoTime() - started > 4_000_000_000L) {
                        break;
                    }
                }
                assertThat(trickling.getInputStream().read()).as("a head still incomplete is cut").isEqualTo(-1);
                assertThat(idle.getInputStream().read()).as("an idle connection is closed").isEqualTo(-1);
                Gateways.await("the stalled client's connection closed",
                        () -> quick.frontDoor().openConnections() == 0);
                assertThat(quick.handover().active()).isZero();
            }
        } finally {
            quick.stop();
        }
    }

    @Test
    void aClientDeadlineTooLargeToComputeIsNoDeadline() throws IOException {
        Seed.TenantRows t = tenantWith(upstream.url());
        try (Socket socket = connect()) {
            // once thrown inside the forwarder on the loop: the request was never answered and never left the drain
            write(socket, "GET /fd/far HTTP/1.1\r\nHost: " + t.host + "\r\ngrpc-timeout: 99999999H\r\n\r\n");
            RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "GET");
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.text()).isEqualTo("GET /fd/far 127.0.0.2 ");
        }
        Gateways.await("no request left in the drain", () -> gateway.drain().inFlight() == 0);
    }

    @Test
    void aSmallAnswerHeldForItsBodyOutlastsTheClientIdleTimeout() throws Exception {
        GatewayServer quick = Gateways.start(dir.resolve("held.json"),
                Map.of("TOLLGATE_EVENT_LOOPS", "1", "TOLLGATE_CLIENT_IDLE_MS", "500"));
        try (ServerSocket slow = scripted((out, in) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(2_000);   // the body comes well within the read timeout, after the idle one
            out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            readHead(in);   // until the gateway lets go of the connection
        })) {
            Seed.TenantRows t = Seed.tenant();
            t.route(t.service("http://127.0.0.1:" + slow.getLocalPort()), "/fd", "none");
            Gateways.awaitVersion(quick, t.save());
            try (Socket socket = new Socket("127.0.0.1", quick.port())) {
                socket.setSoTimeout(10_000);
                write(socket, get(t.host, "/fd/held"));
                // the gateway holds the head until the small body is whole: that is waiting on the upstream,
                // not a client that stopped reading
                RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "GET");
                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.text()).isEqualTo("hello");
            }
        } finally {
            quick.stop();
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }
}
