package io.tollgate.gateway.proxy;

import io.tollgate.gateway.snapshot.UpstreamPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway's own HTTP/1.1 client ({@link UpstreamConnection}, {@link UpstreamResponse}, {@link
 * UpstreamConnections}) against a real socket upstream that answers with exactly the bytes each test scripts:
 * every way RFC 9112 frames a body, interim answers, connections the upstream closes, and malformed answers.
 */
class UpstreamHttp1Test {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A raw upstream: each accepted connection answers each request head with the next scripted reply. */
    private static final class RawUpstream implements AutoCloseable {
        final ServerSocket server;
        final AtomicInteger accepted = new AtomicInteger();
        final List<String> requests = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Reply> replies = new LinkedBlockingQueue<>();

        interface Reply {
            /** Writes an answer; false closes the connection afterwards. */
            boolean write(Socket socket, OutputStream out) throws IOException;
        }

        RawUpstream() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        accepted.incrementAndGet();
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
                while (true) {
                    String request = readRequest(in);
                    if (request == null) {
                        return;
                    }
                    requests.add(request);
                    Reply reply = replies.poll(5, TimeUnit.SECONDS);
                    if (reply == null || !reply.write(socket, socket.getOutputStream())) {
                        return;
                    }
                }
            } catch (IOException | InterruptedException ignored) {
                // the client went away
            }
        }

        /** The head, and the body when Content-Length or chunked says there is one, as received. */
        private static String readRequest(InputStream in) throws IOException {
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            int matched = 0;
            for (int b = in.read(); ; b = in.read()) {
                if (b < 0) {
                    return null;
                }
                seen.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                if (matched == 4) {
                    break;
                }
            }
            String head = seen.toString(StandardCharsets.ISO_8859_1);
            String lower = head.toLowerCase();
            int cl = lower.indexOf("content-length: ");
            if (cl >= 0) {
                int length = Integer.parseInt(lower.substring(cl + 16, lower.indexOf('\r', cl)));
                seen.write(in.readNBytes(length));
            } else if (lower.contains("transfer-encoding: chunked")) {
                // up to and including the last chunk and the empty trailer line
                int matchedEnd = 0;
                String end = "0\r\n\r\n";
                for (int b = in.read(); b >= 0; b = in.read()) {
                    seen.write(b);
                    matchedEnd = b == end.charAt(matchedEnd) ? matchedEnd + 1 : (b == '0' ? 1 : 0);
                    if (matchedEnd == end.length()) {
                        break;
                    }
                }
            }
            return seen.toString(StandardCharsets.ISO_8859_1);
        }

        void reply(String bytes) {
            replies.add((socket, out) -> {
                out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return true;
            });
        }

        /** Sends {@code bytes} (maybe none), then nothing more for two seconds, then closes. */
        void replyThenStall(String bytes) {
            replies.add((socket, out) -> {
                out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return false;
            });
        }

        void replyAndClose(String bytes) {
            replies.add((socket, out) -> {
                out.write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return false;
            });
        }

        UpstreamPool.Target target() {
            String url = "http://127.0.0.1:" + server.getLocalPort();
            return new UpstreamPool.Target("http", "127.0.0.1", server.getLocalPort(), "", url, 1);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private RawUpstream upstream;
    private UpstreamConnections pool;

    @BeforeEach
    void start() throws IOException {
        upstream = new RawUpstream();
        pool = new UpstreamConnections(io.tollgate.gateway.tls.UpstreamTls.from(java.util.Map.of()));
    }

    @AfterEach
    void stop() throws IOException {
        pool.close();
        upstream.close();
    }

    private UpstreamResponse get(String method, String target) throws IOException {
        UpstreamConnections.Lease lease = pool.borrow(upstream.target(), TIMEOUT);
        UpstreamConnection connection = lease.connection();
        connection.head().startRequest(method, target, "127.0.0.1:" + upstream.server.getLocalPort());
        connection.head().field("Accept", "*/*");
        connection.send((byte[]) null);
        return connection.readResponse("HEAD".equals(method), TIMEOUT);
    }

    private static String text(UpstreamResponse response) throws IOException {
        try (response) {
            return new String(response.body().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void contentLengthBodyIsReadAndTheConnectionIsReused() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhello");
        upstream.reply("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nbye");

        UpstreamResponse first = get("GET", "/one");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.length()).isEqualTo(5);
        assertThat(first.fields().all("x-a")).containsExactly("1", "2");
        assertThat(text(first)).isEqualTo("hello");
        assertThat(pool.idleCount()).isEqualTo(1);

        UpstreamResponse second = get("GET", "/two");
        assertThat(second.status()).isEqualTo(201);
        assertThat(text(second)).isEqualTo("bye");
        assertThat(upstream.accepted.get()).isEqualTo(1);
    }

    @Test
    void requestHeadIsWrittenByteForByte() throws IOException {
        upstream.reply("HTTP/1.1 204 No Content\r\n\r\n");
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        text(get("GET", "/a%2Fb/%7e?x=1&x=2&flag&e=%20"));
        UpstreamConnection connection = pool.borrow(upstream.target(), TIMEOUT).connection();
        connection.head().startRequest("POST", "/up", "upstream.test");
        connection.head().field("X-Custom", "v1, v2");
        connection.send(new ByteArrayInputStream("0123456789".getBytes(StandardCharsets.ISO_8859_1)), true);
        assertThat(text(connection.readResponse(false, TIMEOUT))).isEqualTo("ok");

        assertThat(upstream.requests.get(0)).isEqualTo("GET /a%2Fb/%7e?x=1&x=2&flag&e=%20 HTTP/1.1\r\nHost: 127.0.0.1:"
                + upstream.server.getLocalPort() + "\r\nAccept: */*\r\n\r\n");
        assertThat(upstream.requests.get(1)).isEqualTo("POST /up HTTP/1.1\r\nHost: upstream.test\r\n"
                + "X-Custom: v1, v2\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n");
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailersIsDecoded() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n");
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");

        UpstreamResponse response = get("GET", "/c");
        assertThat(response.length()).isEqualTo(-1);
        assertThat(text(response)).isEqualTo("hello 0123456789");
        assertThat(text(get("GET", "/next"))).isEqualTo("z");
        assertThat(upstream.accepted.get()).isEqualTo(1);
    }

    @Test
    void chunkedBodyReadAByteAtATimeArrivesWholeAndTheConnectionIsReused() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2;x\r\nde\r\n0\r\nX-T: 1\r\n\r\n");
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz");

        UpstreamResponse response = get("GET", "/bytes");
        StringBuilder read = new StringBuilder();
        try (response) {
            InputStream body = response.body();
            for (int b = body.read(); b >= 0; b = body.read()) {
                read.append((char) b);
            }
        }
        assertThat(read.toString()).isEqualTo("abcde");
        assertThat(text(get("GET", "/next"))).isEqualTo("z");
        assertThat(upstream.accepted.get()).isEqualTo(1);
    }

    @Test
    void chunkedBodyCopiedWithTransferToArrivesWhole() throws IOException {
        StringBuilder reply = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            String chunk = ("chunk-" + i + "-").repeat(50);
            reply.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            expected.append(chunk);
        }
        upstream.reply(reply.append("0\r\n\r\n").toString());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (UpstreamResponse response = get("GET", "/big")) {
            response.body().transferTo(out);
        }
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected.toString());
        assertThat(pool.idleCount()).isEqualTo(1);
    }

    @Test
    void headNoContentAndNotModifiedHaveNoBodyWhateverTheirFieldsSay() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        upstream.reply("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
        upstream.reply("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nETag: \"x\"\r\n\r\n");
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlast");

        UpstreamResponse head = get("HEAD", "/h");
        assertThat(head.bodiless()).isTrue();
        assertThat(head.fields().first("Content-Length")).isEqualTo("5");
        assertThat(text(head)).isEmpty();
        assertThat(text(get("GET", "/204"))).isEmpty();
        UpstreamResponse notModified = get("GET", "/304");
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(text(notModified)).isEmpty();
        assertThat(text(get("GET", "/last"))).isEqualTo("last");
        assertThat(upstream.accepted.get()).isEqualTo(1);
    }

    @Test
    void interimAnswersAreSkipped() throws IOException {
        upstream.reply("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        UpstreamResponse response = get("GET", "/i");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.fields().contains("Link")).isFalse();
        assertThat(text(response)).isEqualTo("ok");
    }

    @Test
    void switchingProtocolsUnaskedIsAnError() {
        upstream.reply("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");

        assertThatThrownBy(() -> get("GET", "/u")).isInstanceOf(IOException.class);
    }

    @Test
    void connectionCloseIsHonouredAndHttp10KeepsOnlyWhenAsked() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
        upstream.reply("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
        upstream.reply("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok");

        assertThat(text(get("GET", "/1"))).isEqualTo("ok");
        assertThat(pool.idleCount()).isZero();
        assertThat(text(get("GET", "/2"))).isEqualTo("ok");
        assertThat(pool.idleCount()).isZero();
        assertThat(text(get("GET", "/3"))).isEqualTo("ok");
        assertThat(pool.idleCount()).isEqualTo(1);
        assertThat(upstream.accepted.get()).isEqualTo(3);
    }

    @Test
    void bodyWithoutFramingEndsWhenTheUpstreamClosesAndIsNotReused() throws IOException {
        upstream.replyAndClose("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");

        UpstreamResponse response = get("GET", "/eof");
        assertThat(response.length()).isEqualTo(-1);
        assertThat(text(response)).isEqualTo("until the end");
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void transferEncodingWinsOverContentLengthAndTheConnectionIsNotReused() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");

        UpstreamResponse response = get("GET", "/te");
        assertThat(response.fields().contains("Content-Length")).isFalse();
        assertThat(text(response)).isEqualTo("hello");
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void upstreamClosingMidBodyIsAnErrorNotAShortBody() throws IOException {
        upstream.replyAndClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
        upstream.replyAndClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\nonly part");

        UpstreamResponse fixed = get("GET", "/cut");
        assertThatThrownBy(() -> fixed.body().readAllBytes()).isInstanceOf(EOFException.class);
        fixed.close();
        UpstreamResponse chunked = get("GET", "/cut-chunked");
        assertThatThrownBy(() -> chunked.body().transferTo(new ByteArrayOutputStream()))
                .isInstanceOf(EOFException.class);
        chunked.close();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void upstreamClosingBeforeAnyAnswerIsAnError() {
        upstream.replyAndClose("");

        assertThatThrownBy(() -> get("GET", "/none")).isInstanceOf(EOFException.class);
    }

    @Test
    void bytesBeyondTheAnswerMeanTheConnectionIsNotReused() throws IOException {
        // a second, unasked answer pipelined after the first: the connection can no longer be trusted
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil");
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean");

        assertThat(text(get("GET", "/a"))).isEqualTo("ok");
        assertThat(pool.idleCount()).isZero();
        assertThat(text(get("GET", "/b"))).isEqualTo("clean");
        assertThat(upstream.accepted.get()).isEqualTo(2);
    }

    @Test
    void abandonedBodyClosesTheConnection() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");

        UpstreamResponse response = get("GET", "/abandon");
        assertThat(response.body().read()).isEqualTo('0');
        response.close();
        assertThat(pool.idleCount()).isZero();
    }

    @Test
    void malformedAnswersAreErrors() throws IOException {
        for (String garbage : List.of(
                "garbage\r\n\r\n",
                "HTTP/2.0 200 OK\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\n\r\n",
                "HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
                "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Ctl: a\u0001b\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Del: a\u007fb\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Cr: a\rSet-Cookie: b\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Nul: a\u0000b\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Big: " + "x".repeat(UpstreamConnection.MAX_HEAD) + "\r\n\r\n")) {
            upstream.replyAndClose(garbage);
            assertThatThrownBy(() -> get("GET", "/bad")).as(garbage.lines().findFirst().orElseThrow())
                    .isInstanceOf(IOException.class);
        }
        upstream.replyAndClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        UpstreamResponse badChunk = get("GET", "/bad-chunk");
        assertThatThrownBy(() -> badChunk.body().readAllBytes()).isInstanceOf(IOException.class);
        badChunk.close();
    }

    @Test
    void tabsAndObsoleteTextInValuesAreKept() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nX-Tab: a\tb\r\nX-Latin: caf\u00e9\r\nContent-Length: 2\r\n\r\nok");

        UpstreamResponse response = get("GET", "/text");
        assertThat(response.fields().first("X-Tab")).isEqualTo("a\tb");
        assertThat(response.fields().first("X-Latin")).isEqualTo("caf\u00e9");
        assertThat(text(response)).isEqualTo("ok");
    }

    @Test
    void bareLineFeedsAreAccepted() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\nContent-Length: 2\n\nok");

        assertThat(text(get("GET", "/lf"))).isEqualTo("ok");
    }

    @Test
    void silentUpstreamTimesOut() throws IOException {
        upstream.replyThenStall("");
        UpstreamConnection connection = pool.borrow(upstream.target(), TIMEOUT).connection();
        connection.head().startRequest("GET", "/slow", "x");
        connection.send((byte[]) null);

        assertThatThrownBy(() -> connection.readResponse(false, Duration.ofMillis(200)))
                .isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void bodyThatStallsTimesOutAndTheConnectionIsNotReused() throws Exception {
        upstream.replyThenStall("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf");
        UpstreamConnection connection = pool.borrow(upstream.target(), TIMEOUT).connection();
        connection.head().startRequest("GET", "/stall", "x");
        connection.send((byte[]) null);
        UpstreamResponse response = connection.readResponse(false, Duration.ofMillis(300));
        InputStream body = response.body();
        byte[] first = new byte[4];
        assertThat(body.readNBytes(first, 0, 4)).isEqualTo(4);
        long started = System.nanoTime();

        assertThatThrownBy(() -> body.read(new byte[6])).isInstanceOf(SocketTimeoutException.class);
        // the deadline is per read: the stall counts from the read that blocked, not from the answer's head
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(connection.isClosed()).isTrue();
        response.close();
        assertThat(pool.idleCount()).isZero();
        assertThat(pool.readTimeouts().watchedCount()).isZero();
    }

    @Test
    void aConnectionWhoseReadWasExpiredIsNeverPooled() throws Exception {
        // the ticker may expire a read in the instant it returns, before it closes the connection: the state
        // that window leaves behind is set here directly
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        UpstreamConnection connection = pool.borrow(upstream.target(), TIMEOUT).connection();
        connection.head().startRequest("GET", "/1", "x");
        connection.send((byte[]) null);
        UpstreamResponse response = connection.readResponse(false, TIMEOUT);
        assertThat(response.body().readAllBytes()).isEqualTo("ok".getBytes(StandardCharsets.ISO_8859_1));
        java.lang.reflect.Field deadline = UpstreamConnection.class.getDeclaredField("readDeadline");
        deadline.setAccessible(true);
        deadline.setLong(connection, Long.MIN_VALUE);

        response.close();

        assertThat(pool.idleCount()).isZero();
        assertThat(connection.isClosed()).isTrue();
    }

    @Test
    void everyConnectionIsWatchedOnlyWhileOpen() throws IOException {
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");

        assertThat(text(get("GET", "/1"))).isEqualTo("ok");
        assertThat(pool.readTimeouts().watchedCount()).isEqualTo(1);   // pooled, still open
        assertThat(text(get("GET", "/2"))).isEqualTo("ok");
        assertThat(pool.readTimeouts().watchedCount()).isZero();       // closed after Connection: close
    }

    @Test
    void refusedConnectIsAConnectException() throws IOException {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        UpstreamPool.Target nobody = new UpstreamPool.Target("http", "127.0.0.1", port, "", "http://127.0.0.1:" + port, 1);

        assertThatThrownBy(() -> pool.borrow(nobody, TIMEOUT)).isInstanceOf(ConnectException.class);
    }

    @Test
    void pooledConnectionTheUpstreamClosedIsReplacedOnBorrow() throws Exception {
        upstream.replyAndClose("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");   // no Connection: close
        upstream.reply("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");

        assertThat(text(get("GET", "/1"))).isEqualTo("ok");
        assertThat(pool.idleCount()).isEqualTo(1);
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(UpstreamConnections.CHECK_AFTER) + 100);

        UpstreamConnections.Lease lease = pool.borrow(upstream.target(), TIMEOUT);
        assertThat(lease.reused()).isFalse();
        UpstreamConnection connection = lease.connection();
        connection.head().startRequest("GET", "/2", "x");
        connection.send((byte[]) null);
        assertThat(text(connection.readResponse(false, TIMEOUT))).isEqualTo("fresh");
        assertThat(upstream.accepted.get()).isEqualTo(2);
    }
}
