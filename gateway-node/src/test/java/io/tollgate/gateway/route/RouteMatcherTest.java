package io.tollgate.gateway.route;

import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.UpstreamPool;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteMatcherTest {
    private static final UpstreamPool POOL = new UpstreamPool("svc",
            List.of(UpstreamPool.target("http://127.0.0.1:9", 1)), Duration.ofSeconds(1), Duration.ofSeconds(1), 0);

    private static RouteSpec route(String name, List<String> hosts, String path, String... methods) {
        return new RouteSpec(UUID.randomUUID(), UUID.randomUUID(), name, hosts, List.of(path), Set.of(methods), false,
                RouteSpec.AUTH_NONE, null, null, false, Set.of(), POOL);
    }

    private static String matched(RouteMatcher matcher, String host, String method, String path) {
        RouteMatcher.Match match = matcher.match(host, method, path);
        return match == null ? null : match.route().name();
    }

    @Test
    void longestPrefixWinsOnSegmentBoundaries() {
        RouteMatcher matcher = RouteMatcher.compile(List.of(
                route("root", List.of(), "/"),
                route("v1", List.of(), "/v1"),
                route("users", List.of(), "/v1/users")));

        assertThat(matched(matcher, null, "GET", "/v1/users/7")).isEqualTo("users");
        assertThat(matched(matcher, null, "GET", "/v1/users")).isEqualTo("users");
        assertThat(matched(matcher, null, "GET", "/v1/usersx")).isEqualTo("v1");
        assertThat(matched(matcher, null, "GET", "/v1x")).isEqualTo("root");
        assertThat(matched(matcher, null, "GET", "/v1/")).isEqualTo("v1");
        assertThat(matched(matcher, null, "GET", "/")).isEqualTo("root");
    }

    @Test
    void prefixesOfEveryLengthAreFoundWhenAPathOfThatLengthExists() {
        RouteMatcher matcher = RouteMatcher.compile(List.of(
                route("slashed", List.of(), "/v2/"),
                route("deep", List.of(), "/a/bb/ccc/dddd"),
                route("mid", List.of(), "/a/bb"),
                route("host-root", List.of("h.test"), "/"),
                route("host-x", List.of("h.test"), "/x/yy")));

        assertThat(matched(matcher, null, "GET", "/v2/x/y")).isEqualTo("slashed");
        assertThat(matched(matcher, null, "GET", "/v2/")).isEqualTo("slashed");
        assertThat(matched(matcher, null, "GET", "/v2")).isNull();
        assertThat(matched(matcher, null, "GET", "/a/bb/ccc/dddd/e/f")).isEqualTo("deep");
        assertThat(matched(matcher, null, "GET", "/a/bb/ccc/ddd")).isEqualTo("mid");
        assertThat(matched(matcher, null, "GET", "/a/bb/")).isEqualTo("mid");
        assertThat(matched(matcher, null, "GET", "/a/b")).isNull();
        assertThat(matched(matcher, "h.test", "GET", "/x/yy/zzz")).isEqualTo("host-x");
        assertThat(matched(matcher, "h.test", "GET", "/x/y")).isEqualTo("host-root");
        assertThat(matched(matcher, "h.test", "GET", "/a/bb/c")).isEqualTo("host-root");
        assertThat(matched(matcher, "other.test", "GET", "/a/bb/c")).isEqualTo("mid");
        assertThat(matcher.match("h.test", "GET", "/x/yy/1").prefix()).isEqualTo("/x/yy");
    }

    @Test
    void encodedSlashIsNotASegmentBoundary() {
        RouteMatcher matcher = RouteMatcher.compile(List.of(route("a", List.of(), "/a")));

        assertThat(matched(matcher, null, "GET", "/a%2Fb")).isNull();
        assertThat(matched(matcher, null, "GET", "/a/%2Fb")).isEqualTo("a");
    }

    @Test
    void routeForTheRequestHostWinsOverAnyHostAndPortIsIgnored() {
        RouteMatcher matcher = RouteMatcher.compile(List.of(
                route("any", List.of(), "/api/orders"),
                route("mine", List.of("shop.example.test"), "/api")));

        assertThat(matched(matcher, "Shop.Example.Test:8080", "GET", "/api/orders")).isEqualTo("mine");
        assertThat(matched(matcher, "other.example.test", "GET", "/api/orders")).isEqualTo("any");
        assertThat(matched(matcher, null, "GET", "/api/other")).isNull();
    }

    @Test
    void methodSpecificRouteComesBeforeCatchAllAndOtherMethodsFallThrough() {
        RouteMatcher matcher = RouteMatcher.compile(List.of(
                route("all", List.of(), "/items"),
                route("writes", List.of(), "/items", "POST", "PUT"),
                route("parent", List.of(), "/", "DELETE")));

        assertThat(matched(matcher, null, "POST", "/items")).isEqualTo("writes");
        assertThat(matched(matcher, null, "GET", "/items")).isEqualTo("all");
        RouteMatcher onlyWrites = RouteMatcher.compile(List.of(
                route("writes", List.of(), "/items", "POST"),
                route("parent", List.of(), "/", "DELETE")));
        assertThat(matched(onlyWrites, null, "GET", "/items")).isNull();
        assertThat(matched(onlyWrites, null, "DELETE", "/items")).isEqualTo("parent");
    }

    @Test
    void manyRoutesStillMatchTheRightOne() {
        List<RouteSpec> routes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            routes.add(route("r" + i, List.of("h" + (i % 100) + ".example.test"), "/svc" + i));
        }
        RouteMatcher matcher = RouteMatcher.compile(routes);

        assertThat(matched(matcher, "h42.example.test", "GET", "/svc4242/x")).isEqualTo("r4242");
        assertThat(matched(matcher, "h41.example.test", "GET", "/svc4242/x")).isNull();
        assertThat(matcher.size()).isEqualTo(10_000);
    }

    @Test
    void pathNotStartingWithSlashDoesNotCompile() {
        assertThatThrownBy(() -> RouteMatcher.compile(List.of(route("bad", List.of(), "api"))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
