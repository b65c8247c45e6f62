package io.tollgate.gateway;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** Bodies of several megabytes pass through intact both ways, with and without a declared length. */
class StreamingTest extends WithGateway {
    private static final int SIZE = 8 * 1024 * 1024;

    static HttpServer upstream;
    static Seed.TenantRows tenant;

    @BeforeAll
    static void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // POST: answers with the SHA-256 of what arrived. GET /download/<n>: streams n pseudo-random bytes, chunked.
        upstream.createContext("/", exchange -> {
            try (exchange) {
                if ("POST".equals(exchange.getRequestMethod())) {
                    byte[] digest = sha256(exchange.getRequestBody());
                    byte[] body = HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII);
                    exchange.getResponseHeaders().add("X-Chunked-In",
                            String.valueOf(exchange.getRequestHeaders().getFirst("Transfer-Encoding")));
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } else {
                    int n = Integer.parseInt(exchange.getRequestURI().getPath().substring("/download/".length()));
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(randomBytes(n));
                    }
                }
            }
        });
        upstream.start();
        tenant = Seed.tenant();
        tenant.route(tenant.service("http://127.0.0.1:" + upstream.getAddress().getPort()), "/", "none");
        Gateways.awaitVersion(gateway, tenant.save());
    }

    @AfterAll
    static void stop() {
        upstream.stop(0);
    }

    @Test
    void largeUploadWithContentLengthArrivesIntact() throws Exception {
        byte[] body = randomBytes(SIZE);

        RawHttp.Reply reply = RawHttp.send(gateway.port(), "POST", tenant.host, "/upload", body);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.text()).isEqualTo(HexFormat.of().formatHex(sha256(new java.io.ByteArrayInputStream(body))));
    }

    @Test
    void chunkedUploadIsForwardedChunked() throws Exception {
        byte[] body = randomBytes(SIZE);
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /upload HTTP/1.1\r\nHost: " + tenant.host + "\r\nConnection: close\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (int offset = 0; offset < body.length; offset += 65_536) {
                int n = Math.min(65_536, body.length - offset);
                out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, offset, n);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            RawHttp.Reply reply = RawHttp.read(socket.getInputStream(), "POST");

            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.header("X-Chunked-In")).isEqualToIgnoringCase("chunked");
            assertThat(reply.text()).isEqualTo(HexFormat.of().formatHex(sha256(new java.io.ByteArrayInputStream(body))));
        }
    }

    @Test
    void largeChunkedDownloadArrivesIntact() throws Exception {
        RawHttp.Reply reply = RawHttp.get(gateway.port(), tenant.host, "/download/" + SIZE);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("Transfer-Encoding")).isEqualToIgnoringCase("chunked");
        assertThat(reply.body()).isEqualTo(randomBytes(SIZE));
    }

    @Test
    void upstreamThatBreaksOffMidBodyNeverLooksLikeACompleteAnswer() throws Exception {
        try (ServerSocket broken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Promises 100,000 bytes in one chunk, sends half, then resets the connection.
            Thread.ofVirtual().start(() -> {
                try (Socket socket = broken.accept()) {
                    socket.getInputStream().read(new byte[8192]);
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n186a0\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(new byte[50_000]);
                    out.flush();
                    socket.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // the gateway hung up first: fine
                }
            });
            var t = Seed.tenant();
            t.route(t.service("http://127.0.0.1:" + broken.getLocalPort()), "/", "none");
            Gateways.awaitVersion(gateway, t.save());

            try (Socket client = new Socket("127.0.0.1", gateway.port())) {
                client.setSoTimeout(20_000);
                client.getOutputStream().write(("GET /broken HTTP/1.1\r\nHost: " + t.host + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                RawHttp.Reply reply;
                try {
                    reply = RawHttp.read(client.getInputStream(), "GET");
                } catch (java.net.SocketTimeoutException hung) {
                    throw hung;
                } catch (IOException | RuntimeException truncated) {
                    // The answer had started: the connection ended without a final chunk. That is acceptable.
                    return;
                }
                // Nothing had reached the client yet: a clean 502 problem instead of the broken answer.
                assertThat(reply.status()).isEqualTo(502);
                assertThat(reply.header("Content-Type")).isEqualTo("application/problem+json");
                assertThat(reply.text()).contains("upstream-unavailable");
            }
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha256(InputStream in) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65_536];
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
