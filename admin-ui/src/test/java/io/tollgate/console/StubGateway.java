package io.tollgate.console;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in for a gateway node, for the "try this route" page: answers 200 with a small JSON body when the
 * request carries an API key, 401 otherwise, and remembers the last Host and key it saw. The real gateway node
 * is built on another branch; this tests the console's side of the exchange.
 */
final class StubGateway {
    private final HttpServer server;
    private volatile String lastHost;
    private volatile String lastKey;

    private StubGateway(HttpServer server) {
        this.server = server;
    }

    static StubGateway start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            StubGateway stub = new StubGateway(server);
            server.createContext("/", exchange -> {
                stub.lastHost = exchange.getRequestHeaders().getFirst("Host");
                stub.lastKey = exchange.getRequestHeaders().getFirst("X-API-Key");
                boolean ok = stub.lastKey != null;
                byte[] body = (ok ? "{\"hello\":\"from upstream\",\"path\":\"" + exchange.getRequestURI().getPath() + "\"}"
                        : "{\"type\":\"https://tollgate.dev/problems/unauthenticated\",\"status\":401}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", ok ? "application/json" : "application/problem+json");
                exchange.getResponseHeaders().add("X-Upstream", "stub");
                exchange.sendResponseHeaders(ok ? 200 : 401, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return stub;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String lastHost() {
        return lastHost;
    }

    String lastKey() {
        return lastKey;
    }
}
