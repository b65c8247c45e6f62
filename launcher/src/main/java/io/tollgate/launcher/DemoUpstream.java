package io.tollgate.launcher;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.tollgate.common.json.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The built-in upstream the dev command routes {@code /demo} to: answers every request with a small JSON document
 * saying what it received, so a person can see what the gateway forwarded (path after prefix stripping, request id,
 * trace context). It is a stand-in for a tenant's Go or Rust service, nothing more.
 */
public final class DemoUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String host;

    private DemoUpstream(HttpServer server, ExecutorService executor, String host) {
        this.server = server;
        this.executor = executor;
        this.host = host;
    }

    /** Starts on {@code host:port}; port 0 picks a free one. */
    public static DemoUpstream start(String host, int port) {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), port), 0);
            server.setExecutor(executor);
            server.createContext("/", DemoUpstream::answer);
            server.start();
            return new DemoUpstream(server, executor, host);
        } catch (IOException e) {
            executor.close();
            throw new UncheckedIOException("demo upstream could not listen on " + host + ":" + port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The base URL to register as a service target, e.g. {@code http://127.0.0.1:8090}. */
    public String url() {
        String literal = host.contains(":") ? "[" + host + "]" : host;
        return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : literal) + ":" + port();
    }

    public void stop() {
        server.stop(0);
        executor.close();
    }

    @Override
    public void close() {
        stop();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
            String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
            String traceparent = exchange.getRequestHeaders().getFirst("traceparent");
            ObjectNode body = Json.mapper().createObjectNode()
                    .put("service", "demo")
                    .put("method", exchange.getRequestMethod())
                    .put("path", exchange.getRequestURI().getRawPath())
                    .put("query", exchange.getRequestURI().getRawQuery())
                    .put("request_id", requestId)
                    .put("traceparent", traceparent)
                    .put("time", Instant.now().toString());
            byte[] bytes = Json.mapper().writeValueAsBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            if (requestId != null) {
                exchange.getResponseHeaders().set("X-Request-Id", requestId);
            }
            if (traceparent != null) {
                exchange.getResponseHeaders().set("traceparent", traceparent);
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : bytes.length);
            if (!head) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }
}
