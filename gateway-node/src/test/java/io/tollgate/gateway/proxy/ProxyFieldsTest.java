package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.UpstreamPool;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the proxy sends on: which fields cross it each way (in any name case), and the request target. */
class ProxyFieldsTest {

    private static Exchange exchange(HttpFields fields, Set<String> internal) {
        Exchange exchange = new Exchange("GET", "/", null, "gw.example", "http", "192.0.2.1", fields,
                InputStream.nullInputStream(), -1, false, System.nanoTime(), null);
        exchange.route(new RouteSpec(UUID.randomUUID(), UUID.randomUUID(), "r", List.of(), List.of("/"), Set.of(),
                false, RouteSpec.AUTH_NONE, null, null, false, internal, null, null), "/", null);
        return exchange;
    }

    private static List<String> names(HttpFields fields) {
        List<String> names = new ArrayList<>();
        fields.forEach((name, value) -> names.add(name));
        return names;
    }

    @Test
    void answerFieldsLoseHopByHopHiddenListedAndInternalNamesInAnyCase() {
        HttpFields raw = new HttpFields().add("Content-Type", "text/plain").add("SERVER", "x").add("x-Powered-BY", "y")
                .add("Connection", "X-Gone, close").add("x-gone", "1").add("Keep-Alive", "5").add("X-Secret", "s")
                .add("X-Kept", "k").add("Servers", "not hidden").add("TE", "t");

        assertThat(names(ProxyFilter.answerFields(exchange(new HttpFields(), Set.of()), raw)))
                .containsExactly("Content-Type", "X-Secret", "X-Kept", "Servers");
        assertThat(names(ProxyFilter.answerFields(exchange(new HttpFields(), Set.of("x-secret")), raw)))
                .containsExactly("Content-Type", "X-Kept", "Servers");
        HttpFields plain = new HttpFields().add("Content-Type", "a").add("X-Secret", "s").add("Date", "d");
        assertThat(names(ProxyFilter.answerFields(exchange(new HttpFields(), Set.of("x-secret")), plain)))
                .containsExactly("Content-Type", "Date");
    }

    @Test
    void requestFieldsLoseHopByHopOwnAndListedNamesInAnyCase() {
        HttpFields in = new HttpFields().add("HOST", "gw.example").add("Accept", "*/*").add("expect", "100-continue")
                .add("Content-Length", "0").add("X-Tollgate-Deadline-MS", "5").add("GRPC-Timeout", "1S")
                .add("User-Agent", "wrk").add("Upgrade", "h2c").add("X-Forwarded-Host", "evil")
                .add("x-forwarded-for", "198.51.100.1").add("Hosts", "kept");
        HeadBuffer head = new HeadBuffer();
        ProxyFilter.requestHeaders(exchange(in, Set.of()), head);

        assertThat(new String(head.bytes(), 0, head.length(), StandardCharsets.ISO_8859_1)).isEqualTo(
                "Accept: */*\r\nUser-Agent: wrk\r\nHosts: kept\r\nX-Forwarded-For: 198.51.100.1, 192.0.2.1\r\n"
                        + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: gw.example\r\n");

        HttpFields listing = new HttpFields().add("Connection", "User-Agent").add("user-agent", "wrk")
                .add("Accept", "*/*");
        HeadBuffer second = new HeadBuffer();
        ProxyFilter.requestHeaders(exchange(listing, Set.of()), second);
        assertThat(new String(second.bytes(), 0, second.length(), StandardCharsets.ISO_8859_1))
                .startsWith("Accept: */*\r\nX-Forwarded-For: ");
    }

    @Test
    void theTargetIsTheBasePathThenTheRawPathAndQuery() {
        RouteSpec stripping = new RouteSpec(UUID.randomUUID(), UUID.randomUUID(), "r", List.of(), List.of("/api"),
                Set.of(), true, RouteSpec.AUTH_NONE, null, null, false, Set.of(), null, null);
        UpstreamPool.Target plain = UpstreamPool.target("http://127.0.0.1:9", 1);
        UpstreamPool.Target based = UpstreamPool.target("http://127.0.0.1:9/base", 1);

        assertThat(ProxyFilter.requestTarget(request("/a%2Fb/c", "x=1&y", null, null), plain))
                .isEqualTo("/a%2Fb/c?x=1&y");
        assertThat(ProxyFilter.requestTarget(request("/a", null, null, null), based)).isEqualTo("/base/a");
        assertThat(ProxyFilter.requestTarget(request("/api/v1", "q", stripping, "/api"), based))
                .isEqualTo("/base/v1?q");
        assertThat(ProxyFilter.requestTarget(request("/api", null, stripping, "/api"), plain)).isEqualTo("/");
    }

    private static Exchange request(String rawPath, String rawQuery, RouteSpec route, String prefix) {
        Exchange exchange = new Exchange("GET", rawPath, rawQuery, "gw.example", "http", "192.0.2.1",
                new HttpFields(), InputStream.nullInputStream(), -1, false, System.nanoTime(), null);
        exchange.route(route != null ? route : exchange(new HttpFields(), Set.of()).route(), prefix, null);
        return exchange;
    }
}
