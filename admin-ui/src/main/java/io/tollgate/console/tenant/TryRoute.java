package io.tollgate.console.tenant;

import io.helidon.http.Status;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.routes.Routes;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Tenant;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * "Try this route": sends one request through the gateway node the console is configured with
 * (TOLLGATE_CONSOLE_GATEWAY_URL) and shows status, headers, latency and the start of the body. Only paths under
 * the route's own prefixes can be tried, and only to that one gateway address. The API key typed in is used
 * for this one request: it is not logged, stored, or shown again (the page shows its public prefix only).
 */
final class TryRoute {
    private static final int MAX_BODY_SHOWN = 4096;
    private static final Set<String> WITH_BODY = Set.of("POST", "PUT", "PATCH");

    private final AdminContext ctx;
    private final Routes routes;
    private final URI gatewayUrl;
    private final HttpClient http;

    TryRoute(AdminContext ctx, Routes routes, URI gatewayUrl) {
        this.ctx = ctx;
        this.routes = routes;
        this.gatewayUrl = gatewayUrl;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** One response header as shown. */
    public record Header(String name, String value) {
    }

    /** What came back, or why nothing did. */
    public record Result(int status, long millis, List<Header> headers, String body, boolean truncated,
                         String failure, String sent) {
    }

    void form(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Route route = routes.get(v.principal(), tenant.slug(), v.path("ref"));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("method", route.methods().isEmpty() ? "GET" : route.methods().getFirst());
        form.put("path", route.paths().getFirst());
        form.put("host", route.hosts().isEmpty() ? "" : route.hosts().getFirst());
        show(v, tenant, route, form, Map.of(), null, Status.OK_200);
    }

    void send(Visit v) {
        Tenant tenant = TenantPages.writable(ctx, v);
        Route route = routes.get(v.principal(), tenant.slug(), v.path("ref"));
        var f = v.form();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("method", f.text("method"));
        form.put("path", f.text("path"));
        form.put("host", f.text("host"));
        form.put("body", f.text("body"));
        Map<String, String> errors = new HashMap<>();
        String method = f.text("method");
        if (!RoutePages.METHODS.contains(method)) {
            errors.put("method", "choose one of " + String.join(", ", RoutePages.METHODS));
        }
        String path = f.text("path");
        if (!path.startsWith("/") || path.contains("..") || path.chars().anyMatch(c -> c <= 0x20 || c == '#')
                || route.paths().stream().noneMatch(path::startsWith)) {
            errors.put("path", "must start with one of this route's paths: " + String.join(", ", route.paths()));
        }
        String host = f.text("host");
        if (!host.isEmpty() && !route.hosts().contains(host.toLowerCase())) {
            errors.put("host", "must be empty or one of this route's hosts: " + String.join(", ", route.hosts()));
        }
        if (!errors.isEmpty()) {
            show(v, tenant, route, form, errors, null, Status.BAD_REQUEST_400);
            return;
        }
        show(v, tenant, route, form, Map.of(), call(method, path, host, f.text("api_key"), f.text("body")),
                Status.OK_200);
    }

    private Result call(String method, String path, String host, String apiKey, String body) {
        URI uri = URI.create(gatewayUrl + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("X-Request-Id", "console-try-" + java.util.UUID.randomUUID());
        StringBuilder sent = new StringBuilder(method + " " + uri);
        if (!host.isEmpty()) {
            b.header("Host", host);
            sent.append("\nHost: ").append(host);
        }
        if (!apiKey.isEmpty()) {
            b.header("X-API-Key", apiKey);
            sent.append("\nX-API-Key: ").append(masked(apiKey));
        }
        b.method(method, WITH_BODY.contains(method) && !body.isEmpty()
                ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
        if (WITH_BODY.contains(method) && !body.isEmpty()) {
            b.header("Content-Type", "application/json");
        }
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> res = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            byte[] bytes;
            boolean truncated;
            try (InputStream in = res.body()) {
                bytes = in.readNBytes(MAX_BODY_SHOWN + 1);
                truncated = bytes.length > MAX_BODY_SHOWN;
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            List<Header> headers = new ArrayList<>();
            res.headers().map().forEach((name, values) -> values.forEach(value -> headers.add(new Header(name, value))));
            headers.sort(java.util.Comparator.comparing(Header::name));
            String text = new String(bytes, 0, Math.min(bytes.length, MAX_BODY_SHOWN), StandardCharsets.UTF_8);
            return new Result(res.statusCode(), millis, headers, text, truncated, null, sent.toString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return failed("Could not connect to the gateway node at " + gatewayUrl + ". Is a node running there?",
                    start, sent);
        } catch (HttpTimeoutException e) {
            return failed("The gateway node did not answer within 10 seconds.", start, sent);
        } catch (IOException e) {
            return failed("The request through the gateway node at " + gatewayUrl + " failed: "
                    + e.getClass().getSimpleName(), start, sent);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("Interrupted while waiting for the gateway node.", start, sent);
        }
    }

    private static Result failed(String why, long start, StringBuilder sent) {
        return new Result(0, (System.nanoTime() - start) / 1_000_000, List.of(), "", false, why, sent.toString());
    }

    /** The public part of a key, never its secret: {@code tg_<public id>_…}. */
    static String masked(String key) {
        if (key.startsWith("tg_") && key.length() > 15) {
            return key.substring(0, 16) + "\u2026";
        }
        return "\u2026 (" + key.length() + " characters, not shown)";
    }

    private void show(Visit v, Tenant tenant, Route route, Map<String, String> form, Map<String, String> errors,
                      Result result, Status status) {
        var model = TenantPages.model(v, tenant, "routes");
        model.put("route", route);
        model.put("pageTitle", "Try route " + route.name());
        model.put("form", form);
        model.put("errors", errors);
        model.put("methods", route.methods().isEmpty() ? RoutePages.METHODS : route.methods());
        model.put("result", result);
        model.put("gateway", gatewayUrl.toString());
        v.render(status, "route-try", model);
    }
}
