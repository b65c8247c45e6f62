package io.tollgate.gateway;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/** A real HTTP server on an ephemeral port that records what reached it and answers as the test says. */
final class Upstream implements AutoCloseable {
    /** One request as the upstream saw it: the request target exactly as on the wire. */
    record Seen(String method, String rawPath, String rawQuery, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }

        boolean has(String name) {
            return header(name) != null;
        }
    }

    @FunctionalInterface
    interface Answer {
        void answer(HttpExchange exchange) throws IOException;
    }

    private static final String BODY = "tollgate.test.body";
    private final HttpServer server;
    private final String scheme;
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    /** The client ports requests came from: one per connection the gateway opened. */
    final java.util.Set<Integer> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private Upstream(Answer answer) throws IOException {
        this(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "http", answer);
    }

    private Upstream(HttpServer server, String scheme, Answer answer) {
        this.server = server;
        this.scheme = scheme;
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            connections.add(exchange.getRemoteAddress().getPort());
            exchange.setAttribute(BODY, body);
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body));
            try {
                answer.answer(exchange);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The request body, already read before the answer runs. */
    static byte[] body(HttpExchange exchange) {
        return (byte[]) exchange.getAttribute(BODY);
    }

    static Upstream answering(Answer answer) throws IOException {
        return new Upstream(answer);
    }

    /** HTTP/1.1 over TLS with {@code tls}'s certificate (the JDK server offers no ALPN, so never h2). */
    static Upstream https(javax.net.ssl.SSLContext tls, Answer answer) throws IOException {
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        return new Upstream(server, "https", answer);
    }

    /**
     * 200 with {@code body}, each answer held until {@code release} counts down (at most 30 s): requests in flight
     * for as long as a test needs them to be.
     */
    static Upstream heldUntil(java.util.concurrent.CountDownLatch release, String body) throws IOException {
        return answering(exchange -> {
            try {
                release.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(exchange, 200, body);
        });
    }

    /** 200 with a small JSON body and a few headers a proxy must pass or hide. */
    static Upstream ok() throws IOException {
        return answering(exchange -> send(exchange, 200, "{\"ok\":true}"));
    }

    static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        Headers headers = exchange.getResponseHeaders();
        headers.add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** http://127.0.0.1:port, or https://localhost:port (a name, so that SNI and name verification apply). */
    String url() {
        return scheme.equals("https") ? "https://localhost:" + port() : "http://127.0.0.1:" + port();
    }

    int port() {
        return server.getAddress().getPort();
    }

    Seen last() {
        return seen.getLast();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
