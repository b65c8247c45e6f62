package io.tollgate.gateway;

import io.tollgate.db.model.Service;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retry rules on HTTP/2 upstreams, against a small real HTTP/2 server on a socket that answers each stream as a
 * test script says: reset it with a given error code, or answer 200. A stream reset with REFUSED_STREAM was not
 * processed, so it is retried whatever the method; any other reset follows the idempotency rules.
 */
class Http2RetryTest extends WithGateway {
    private static final int REFUSED_STREAM = 0x7;
    private static final int INTERNAL_ERROR = 0x2;
    /** An answer: 200 (HPACK static index 8, ":status: 200") with END_STREAM. */
    private static final int OK = -1;
    /** An answer 200 with a field whose value holds a control character (0x01), which HPACK can carry. */
    private static final int MALFORMED = -2;
    /** No answer until the gateway resets some stream on the same connection; then 200. */
    private static final int HOLD = -3;


    /** An h2c server that answers the n-th stream it receives with {@code script[n]} (OK after the script ends). */
    static final class ScriptedH2Server implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0);
        final int[] script;
        final AtomicInteger streams = new AtomicInteger();
        /** RST_STREAM frames the gateway sent. */
        final AtomicInteger resets = new AtomicInteger();
        final ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();

        ScriptedH2Server(int... script) throws IOException {
            this.script = script;
            Thread.ofVirtual().start(this::accept);
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread.ofVirtual().start(() -> serve(socket));
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                List<Integer> held = new ArrayList<>();
                in.readFully(new byte[24]);  // PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n
                frame(out, 0x4, 0, 0, new byte[0]);  // our SETTINGS: all defaults
                while (true) {
                    int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
                    int type = in.readUnsignedByte();
                    int flags = in.readUnsignedByte();
                    int stream = in.readInt() & 0x7fffffff;
                    in.readFully(new byte[length]);
                    if (type == 0x3) {
                        resets.incrementAndGet();
                        for (int h : held) {
                            frame(out, 0x1, 0x4 | 0x1, h, new byte[] {(byte) 0x88});
                        }
                        held.clear();
                    } else if (type == 0x4 && (flags & 0x1) == 0) {
                        frame(out, 0x4, 0x1, 0, new byte[0]);  // ACK their SETTINGS
                    } else if (type == 0x1) {  // HEADERS: a new request
                        int n = streams.getAndIncrement();
                        int action = n < script.length ? script[n] : OK;
                        if (action == OK) {
                            frame(out, 0x1, 0x4 | 0x1, stream, new byte[] {(byte) 0x88});
                        } else if (action == MALFORMED) {
                            // ":status: 200", then a literal field "x-bad: a<0x01>b" (not indexed, new name)
                            frame(out, 0x1, 0x4 | 0x1, stream, new byte[] {(byte) 0x88, 0x00, 5, 'x', '-', 'b', 'a',
                                    'd', 3, 'a', 0x01, 'b'});
                        } else if (action == HOLD) {
                            held.add(stream);
                        } else {
                            frame(out, 0x3, 0, stream, new byte[] {0, 0, 0, (byte) action});
                        }
                    }
                }
            } catch (IOException e) {
                // the gateway closed the connection
            }
        }

        private static synchronized void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
                throws IOException {
            byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
                    (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8),
                    (byte) stream};
            out.write(head);
            out.write(payload);
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    private static Routed route(String url, int retries) {
        Seed.TenantRows t = Seed.tenant();
        t.route(t.service(url, "h2c", 5_000, retries), "/", "api-key");
        Seed.Key key = t.key();
        Gateways.awaitVersion(gateway, t.save());
        return new Routed(t, key);
    }

    private record Routed(Seed.TenantRows tenant, Seed.Key key) {
        RawHttp.Reply send(String method, byte[] body) throws IOException {
            return RawHttp.send(gateway.port(), method, tenant.host, "/work", body, "X-API-Key", key.plaintext());
        }
    }

    @Test
    void refusedStreamIsRetriedEvenForAPost() throws Exception {
        try (ScriptedH2Server upstream = new ScriptedH2Server(REFUSED_STREAM)) {
            Routed r = route(upstream.url(), 1);

            RawHttp.Reply reply = r.send("POST", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));

            assertThat(reply.status()).isEqualTo(200);
            assertThat(upstream.streams.get()).isEqualTo(2);
        }
    }

    @Test
    void refusedStreamWithoutRetriesLeftIs502() throws Exception {
        try (ScriptedH2Server upstream = new ScriptedH2Server(REFUSED_STREAM, REFUSED_STREAM)) {
            Routed r = route(upstream.url(), 1);

            RawHttp.Reply reply = r.send("POST", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));

            assertThat(reply.status()).isEqualTo(502);
            assertThat(reply.text()).contains("upstream-unavailable");
            assertThat(upstream.streams.get()).isEqualTo(2);
        }
    }

    @Test
    void otherResetOfAPostIsNotRetried() throws Exception {
        try (ScriptedH2Server upstream = new ScriptedH2Server(INTERNAL_ERROR)) {
            Routed r = route(upstream.url(), 2);

            RawHttp.Reply reply = r.send("POST", "{\"n\":1}".getBytes(StandardCharsets.UTF_8));

            assertThat(reply.status()).isEqualTo(502);
            assertThat(upstream.streams.get()).isEqualTo(1);
        }
    }

    @Test
    void otherResetOfAGetIsRetried() throws Exception {
        try (ScriptedH2Server upstream = new ScriptedH2Server(INTERNAL_ERROR)) {
            Routed r = route(upstream.url(), 1);

            RawHttp.Reply reply = r.send("GET", null);

            assertThat(reply.status()).isEqualTo(200);
            assertThat(upstream.streams.get()).isEqualTo(2);
        }
    }

    @Test
    void aMalformedAnswerFieldResetsOnlyItsStreamIs502AndTheSharedConnectionServesOn() throws Exception {
        try (ScriptedH2Server upstream = new ScriptedH2Server(HOLD, MALFORMED)) {
            Routed r = route(upstream.url(), 2);
            java.util.concurrent.CompletableFuture<RawHttp.Reply> held = new java.util.concurrent.CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    held.complete(r.send("GET", null));
                } catch (IOException | RuntimeException e) {
                    held.completeExceptionally(e);
                }
            });
            Gateways.await("the first stream to reach the upstream", () -> upstream.streams.get() == 1);

            RawHttp.Reply malformed = r.send("GET", null);

            assertThat(malformed.status()).isEqualTo(502);
            assertThat(malformed.text()).contains("upstream-unavailable").doesNotContain("x-bad");
            assertThat(upstream.streams.get()).as("a malformed answer is not retried").isEqualTo(2);
            // the stream in flight on the same connection is answered once the upstream saw the reset: it survived
            assertThat(held.get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(upstream.resets.get()).as("the malformed answer's stream was reset").isEqualTo(1);
            assertThat(r.send("GET", null).status()).isEqualTo(200);
            assertThat(upstream.sockets).as("one connection throughout").hasSize(1);
        }
    }

    @Test
    void manyConcurrentRequestsOpenNoMoreConnectionsThanStreamsRequire() throws Exception {
        try (ScriptedH2Server upstream = new ScriptedH2Server()) {
            Routed r = route(upstream.url(), 0);
            List<Thread> threads = new ArrayList<>();
            AtomicInteger ok = new AtomicInteger();
            for (int i = 0; i < 40; i++) {
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (r.send("GET", null).status() == 200) {
                            ok.incrementAndGet();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }

            assertThat(ok.get()).isEqualTo(40);
            assertThat(upstream.sockets).hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void consistentHashKeepsEachClientOnOneHttp2Target() throws Exception {
        try (ScriptedH2Server a = new ScriptedH2Server(); ScriptedH2Server b = new ScriptedH2Server();
             ScriptedH2Server c = new ScriptedH2Server()) {
            List<ScriptedH2Server> targets = List.of(a, b, c);
            Seed.TenantRows t = Seed.tenant();
            Service.Resilience hashed = new Service.Resilience("consistent-hash", "X-User", 0, 30_000, 0, 10_000, 1,
                    null, 10_000, 2_000, 2, 3);
            t.route(t.service(List.of(a.url(), b.url(), c.url()), "h2c", 0, 5_000, hashed), "/", "none");
            Gateways.awaitVersion(gateway, t.save());

            Map<String, Set<Integer>> servedBy = new HashMap<>();
            for (int round = 0; round < 3; round++) {
                for (int user = 0; user < 10; user++) {  // not a multiple of 3: round robin would move users
                    int[] before = targets.stream().mapToInt(s -> s.streams.get()).toArray();
                    RawHttp.Reply reply = RawHttp.send(gateway.port(), "GET", t.host, "/work", null,
                            "X-User", "user-" + user);
                    assertThat(reply.status()).isEqualTo(200);
                    for (int i = 0; i < targets.size(); i++) {
                        if (targets.get(i).streams.get() > before[i]) {
                            servedBy.computeIfAbsent("user-" + user, k -> new HashSet<>()).add(i);
                        }
                    }
                }
            }

            assertThat(servedBy).hasSize(10);
            assertThat(servedBy.values()).allSatisfy(served -> assertThat(served).hasSize(1));
            Set<Integer> used = new HashSet<>();
            servedBy.values().forEach(used::addAll);
            assertThat(used).hasSizeGreaterThan(1);
        }
    }
}
