package io.tollgate.gateway;

import com.sun.net.httpserver.HttpExchange;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Service;
import io.tollgate.db.store.RouteStore;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response cache against real upstreams that count what reaches them: hits and misses, freshness from the route
 * and from Cache-Control, Vary, what is never stored, per-consumer copies, HEAD, query normalization,
 * stale-if-error, purges arriving through the config, and the byte bound.
 */
class ResponseCacheTest extends WithGateway {

    /** Caching on, 60 s fresh, shared by all callers, no stale copies. */
    private static final Route.Cache ON = new Route.Cache(true, 60, false, 0, 0);

    /** An upstream answering 200 with {@code n=<how many requests it has seen>} and the given headers. */
    private static Upstream counting(String... headers) throws IOException {
        AtomicInteger count = new AtomicInteger();
        return Upstream.answering(exchange -> answer(exchange, 200, "n=" + count.incrementAndGet(), headers));
    }

    private static void answer(HttpExchange exchange, int status, String body, String... headers) throws IOException {
        for (int i = 0; i < headers.length; i += 2) {
            exchange.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** A tenant with one route /c (auth none) on {@code upstream}, caching as {@code cache} says, live. */
    private static Seed.TenantRows cached(Upstream upstream, Route.Cache cache) {
        var t = Seed.tenant();
        Service s = t.service(upstream.url());
        t.cachedRoute(s, "/c", "none", cache);
        Gateways.awaitVersion(gateway, t.save());
        return t;
    }

    private static RawHttp.Reply get(Seed.TenantRows t, String target, String... headers) throws IOException {
        return RawHttp.get(gateway.port(), t.host, target, headers);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void secondRequestIsAHitAndTheUpstreamSeesOne() throws IOException {
        try (Upstream up = counting("Cache-Control", "public")) {
            var t = cached(up, ON);

            RawHttp.Reply first = get(t, "/c/a");
            RawHttp.Reply second = get(t, "/c/a");

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("X-Cache")).isEqualTo("MISS");
            assertThat(first.header("Age")).isNull();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("X-Cache")).isEqualTo("HIT");
            assertThat(second.text()).isEqualTo("n=1");
            assertThat(second.header("Age")).matches("\\d+");
            assertThat(second.header("Cache-Control")).isEqualTo("public");
            assertThat(second.header("X-Request-Id")).isNotEqualTo(first.header("X-Request-Id"));
            assertThat(up.seen).hasSize(1);
        }
    }

    @Test
    void routesWithoutCachingSayNothingAndForwardEveryRequest() throws IOException {
        try (Upstream up = counting()) {
            var t = cached(up, Route.Cache.OFF);

            RawHttp.Reply first = get(t, "/c");
            RawHttp.Reply second = get(t, "/c");

            assertThat(first.header("X-Cache")).isNull();
            assertThat(second.text()).isEqualTo("n=2");
            assertThat(up.seen).hasSize(2);
        }
    }

    @Test
    void anEntryExpiresAfterTheRouteTtl() throws IOException {
        try (Upstream up = counting()) {
            var t = cached(up, new Route.Cache(true, 1, false, 0, 0));

            assertThat(get(t, "/c").header("X-Cache")).isEqualTo("MISS");
            assertThat(get(t, "/c").header("X-Cache")).isEqualTo("HIT");
            sleep(1_200);
            RawHttp.Reply after = get(t, "/c");

            assertThat(after.header("X-Cache")).isEqualTo("MISS");
            assertThat(after.text()).isEqualTo("n=2");
            assertThat(up.seen).hasSize(2);
        }
    }

    @Test
    void upstreamMaxAgeShortensTheRouteTtlAndSMaxAgeWinsOverMaxAge() throws IOException {
        try (Upstream maxAge = counting("Cache-Control", "max-age=1");
             Upstream sMaxAge = counting("Cache-Control", "max-age=600, s-maxage=1");
             Upstream longer = counting("Cache-Control", "max-age=600");
             Upstream zero = counting("Cache-Control", "max-age=0")) {
            var a = cached(maxAge, ON);
            var b = cached(sMaxAge, ON);
            var c = cached(longer, new Route.Cache(true, 1, false, 0, 0));
            var d = cached(zero, ON);

            for (var t : List.of(a, b, c, d)) {
                get(t, "/c");
                get(t, "/c");
            }
            sleep(1_200);
            for (var t : List.of(a, b, c)) {
                assertThat(get(t, "/c").header("X-Cache")).isEqualTo("MISS");
            }

            assertThat(maxAge.seen).hasSize(2);
            assertThat(sMaxAge.seen).as("s-maxage=1 wins over max-age=600").hasSize(2);
            assertThat(longer.seen).as("the route's 1 s caps the upstream's 600 s").hasSize(2);
            assertThat(zero.seen).as("max-age=0 is never stored").hasSize(2);
        }
    }

    @Test
    void varyKeepsOneCopyPerAcceptLanguage() throws IOException {
        try (Upstream up = Upstream.answering(exchange -> answer(exchange, 200,
                "lang=" + exchange.getRequestHeaders().getFirst("Accept-Language"), "Vary", "Accept-Language"))) {
            var t = cached(up, ON);

            RawHttp.Reply en1 = get(t, "/c", "Accept-Language", "en");
            RawHttp.Reply de1 = get(t, "/c", "Accept-Language", "de");
            RawHttp.Reply en2 = get(t, "/c", "Accept-Language", "en");
            RawHttp.Reply de2 = get(t, "/c", "Accept-Language", "de");
            RawHttp.Reply none = get(t, "/c");

            assertThat(List.of(en1, de1).stream().map(r -> r.header("X-Cache"))).containsOnly("MISS");
            assertThat(en2.header("X-Cache")).isEqualTo("HIT");
            assertThat(en2.text()).isEqualTo("lang=en");
            assertThat(de2.header("X-Cache")).isEqualTo("HIT");
            assertThat(de2.text()).isEqualTo("lang=de");
            assertThat(none.header("X-Cache")).isEqualTo("MISS");
            assertThat(up.seen).hasSize(3);
        }
    }

    @Test
    void varyStarIsNeverStored() throws IOException {
        try (Upstream up = counting("Vary", "*")) {
            var t = cached(up, ON);

            get(t, "/c");
            RawHttp.Reply second = get(t, "/c");

            assertThat(second.header("X-Cache")).isEqualTo("MISS");
            assertThat(up.seen).hasSize(2);
        }
    }

    @Test
    void answersWithSetCookieAreNeverStored() throws IOException {
        try (Upstream up = counting("Set-Cookie", "session=abc; HttpOnly")) {
            var t = cached(up, ON);

            get(t, "/c");
            RawHttp.Reply second = get(t, "/c");

            assertThat(second.header("X-Cache")).isEqualTo("MISS");
            assertThat(second.header("Set-Cookie")).isEqualTo("session=abc; HttpOnly");
            assertThat(second.text()).isEqualTo("n=2");
            assertThat(up.seen).hasSize(2);
        }
    }

    @Test
    void privateNoStoreAndNoCacheAnswersAreNeverStored() throws IOException {
        for (String directive : List.of("private", "no-store", "no-cache", "private=\"X-User\", max-age=60",
                "max-age=60, No-Store")) {
            try (Upstream up = counting("Cache-Control", directive)) {
                var t = cached(up, ON);

                get(t, "/c");
                RawHttp.Reply second = get(t, "/c");

                assertThat(second.header("X-Cache")).as(directive).isEqualTo("MISS");
                assertThat(up.seen).as(directive).hasSize(2);
            }
        }
    }

    @Test
    void uncacheableStatusesAreNotStoredButA404Is() throws IOException {
        AtomicInteger status = new AtomicInteger(500);
        try (Upstream up = Upstream.answering(exchange -> answer(exchange, status.get(), "s=" + status.get()))) {
            var t = cached(up, ON);

            get(t, "/c");
            assertThat(get(t, "/c").header("X-Cache")).isEqualTo("MISS");
            status.set(404);
            get(t, "/c");
            RawHttp.Reply notFound = get(t, "/c");

            assertThat(notFound.status()).isEqualTo(404);
            assertThat(notFound.header("X-Cache")).isEqualTo("HIT");
            assertThat(up.seen).hasSize(3);
        }
    }

    @Test
    void authenticatedRequestsAreNotCachedUnlessTheRouteCachesPerConsumer() throws IOException {
        try (Upstream shared = counting(); Upstream perConsumer = counting()) {
            var t = Seed.tenant();
            t.cachedRoute(t.service(shared.url()), "/shared", "api-key", ON);
            t.cachedRoute(t.service(perConsumer.url()), "/mine", "api-key", new Route.Cache(true, 60, true, 0, 0));
            Seed.Key a = t.key();
            Seed.Key b = t.key();
            Gateways.awaitVersion(gateway, t.save());

            RawHttp.Reply s1 = get(t, "/shared", "X-API-Key", a.plaintext());
            RawHttp.Reply s2 = get(t, "/shared", "X-API-Key", a.plaintext());
            RawHttp.Reply a1 = get(t, "/mine", "X-API-Key", a.plaintext());
            RawHttp.Reply b1 = get(t, "/mine", "X-API-Key", b.plaintext());
            RawHttp.Reply a2 = get(t, "/mine", "X-API-Key", a.plaintext());
            RawHttp.Reply b2 = get(t, "/mine", "X-API-Key", b.plaintext());
            RawHttp.Reply anonymous = get(t, "/mine");

            assertThat(s1.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(s2.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(shared.seen).hasSize(2);
            assertThat(a1.header("X-Cache")).isEqualTo("MISS");
            assertThat(b1.header("X-Cache")).as("B never gets A's copy").isEqualTo("MISS");
            assertThat(a2.header("X-Cache")).isEqualTo("HIT");
            assertThat(a2.text()).isEqualTo(a1.text());
            assertThat(b2.header("X-Cache")).isEqualTo("HIT");
            assertThat(b2.text()).isEqualTo(b1.text()).isNotEqualTo(a1.text());
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(perConsumer.seen).hasSize(2);
        }
    }

    @Test
    void jwtRoutesCachePerSubjectAndNeverForATokenWithoutOne() throws IOException {
        String secret = "a-shared-secret-long-enough-for-hs256-0123456789";
        var key = io.jsonwebtoken.security.Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8));
        java.util.function.Function<String, String> token = subject -> {
            var builder = io.jsonwebtoken.Jwts.builder().issuer("https://login.example.test").audience().add("api")
                    .and().expiration(java.util.Date.from(java.time.Instant.now().plusSeconds(300)));
            if (subject != null) {
                builder.subject(subject);
            }
            return "Bearer " + builder.signWith(key, io.jsonwebtoken.Jwts.SIG.HS256).compact();
        };
        try (Upstream up = counting()) {
            var t = Seed.tenant().jwt(new io.tollgate.db.model.Tenant.Jwt("https://login.example.test", "api", secret,
                    null, 0));
            t.cachedRoute(t.service(up.url()), "/c", "jwt", new Route.Cache(true, 60, true, 0, 0));
            Gateways.awaitVersion(gateway, t.save());

            RawHttp.Reply alice1 = get(t, "/c", "Authorization", token.apply("alice"));
            RawHttp.Reply bob = get(t, "/c", "Authorization", token.apply("bob"));
            // another token of the same subject is the same consumer
            RawHttp.Reply alice2 = get(t, "/c", "Authorization", token.apply("alice"));
            RawHttp.Reply nobody1 = get(t, "/c", "Authorization", token.apply(null));
            RawHttp.Reply nobody2 = get(t, "/c", "Authorization", token.apply(null));

            assertThat(alice1.header("X-Cache")).isEqualTo("MISS");
            assertThat(bob.header("X-Cache")).isEqualTo("MISS");
            assertThat(bob.text()).isNotEqualTo(alice1.text());
            assertThat(alice2.header("X-Cache")).isEqualTo("HIT");
            assertThat(alice2.text()).isEqualTo(alice1.text());
            assertThat(nobody1.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(nobody2.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(up.seen).hasSize(4);
        }
    }

    @Test
    void anAuthorizationHeaderOnARouteWithoutGatewayAuthIsCachedOnlyPerCaller() throws IOException {
        try (Upstream shared = counting(); Upstream perCaller = counting()) {
            var t1 = cached(shared, ON);
            var t2 = cached(perCaller, new Route.Cache(true, 60, true, 0, 0));

            get(t1, "/c", "Authorization", "Bearer alice");
            RawHttp.Reply again = get(t1, "/c", "Authorization", "Bearer alice");
            RawHttp.Reply alice1 = get(t2, "/c", "Authorization", "Bearer alice");
            RawHttp.Reply bob = get(t2, "/c", "Authorization", "Bearer bob");
            RawHttp.Reply alice2 = get(t2, "/c", "Authorization", "Bearer alice");

            assertThat(again.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(shared.seen).hasSize(2);
            assertThat(bob.header("X-Cache")).isEqualTo("MISS");
            assertThat(bob.text()).isNotEqualTo(alice1.text());
            assertThat(alice2.header("X-Cache")).isEqualTo("HIT");
            assertThat(alice2.text()).isEqualTo(alice1.text());
        }
    }

    /** An upstream answering 200 with {@code <header>=<the request's value of header>, n=<requests seen>}. */
    private static Upstream echoing(String header, String... headers) throws IOException {
        AtomicInteger count = new AtomicInteger();
        return Upstream.answering(exchange -> answer(exchange, 200, header + "="
                + exchange.getRequestHeaders().getFirst(header) + ", n=" + count.incrementAndGet(), headers));
    }

    @Test
    void anAuthorizationHeaderForwardedPastAnApiKeyKeepsEachCallersOwnCopy() throws IOException {
        // one app key shared by every user, each user's session in Authorization, which the gateway forwards
        try (Upstream up = echoing("Authorization", "Cache-Control", "max-age=60")) {
            var t = Seed.tenant();
            t.cachedRoute(t.service(up.url()), "/me", "api-key", new Route.Cache(true, 60, true, 0, 0));
            Seed.Key app = t.key();
            Gateways.awaitVersion(gateway, t.save());

            RawHttp.Reply alice1 = get(t, "/me", "X-API-Key", app.plaintext(), "Authorization", "Bearer alice");
            RawHttp.Reply bob1 = get(t, "/me", "X-API-Key", app.plaintext(), "Authorization", "Bearer bob");
            RawHttp.Reply alice2 = get(t, "/me", "X-API-Key", app.plaintext(), "Authorization", "Bearer alice");
            RawHttp.Reply bob2 = get(t, "/me", "X-API-Key", app.plaintext(), "Authorization", "Bearer bob");
            RawHttp.Reply appOnly = get(t, "/me", "X-API-Key", app.plaintext());

            assertThat(alice1.text()).startsWith("Authorization=Bearer alice,");
            assertThat(bob1.header("X-Cache")).as("B never gets A's /me").isEqualTo("MISS");
            assertThat(bob1.text()).startsWith("Authorization=Bearer bob,");
            assertThat(alice2.header("X-Cache")).isEqualTo("HIT");
            assertThat(alice2.text()).isEqualTo(alice1.text());
            assertThat(bob2.header("X-Cache")).isEqualTo("HIT");
            assertThat(bob2.text()).isEqualTo(bob1.text());
            assertThat(appOnly.header("X-Cache")).as("the key alone is another consumer").isEqualTo("MISS");
            assertThat(appOnly.text()).startsWith("Authorization=null,");
            assertThat(up.seen).hasSize(3);
        }
    }

    @Test
    void aCookieOnARouteWithoutGatewayAuthIsCachedOnlyPerCookie() throws IOException {
        try (Upstream shared = echoing("Cookie", "Cache-Control", "max-age=60");
             Upstream perCaller = echoing("Cookie", "Cache-Control", "max-age=60")) {
            var t1 = cached(shared, ON);
            var t2 = cached(perCaller, new Route.Cache(true, 60, true, 0, 0));

            RawHttp.Reply alice = get(t1, "/c", "Cookie", "session=alice");
            RawHttp.Reply bob = get(t1, "/c", "Cookie", "session=bob");
            RawHttp.Reply anonymous = get(t1, "/c");
            RawHttp.Reply alice1 = get(t2, "/c", "Cookie", "session=alice");
            RawHttp.Reply bob1 = get(t2, "/c", "Cookie", "session=bob");
            RawHttp.Reply alice2 = get(t2, "/c", "Cookie", "session=alice");
            RawHttp.Reply anonymous2 = get(t2, "/c");

            assertThat(alice.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(bob.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(bob.text()).startsWith("Cookie=session=bob,");
            assertThat(anonymous.header("X-Cache")).as("nothing was stored for everyone").isEqualTo("MISS");
            assertThat(anonymous.text()).startsWith("Cookie=null,");
            assertThat(shared.seen).hasSize(3);
            assertThat(bob1.header("X-Cache")).isEqualTo("MISS");
            assertThat(bob1.text()).startsWith("Cookie=session=bob,");
            assertThat(alice2.header("X-Cache")).isEqualTo("HIT");
            assertThat(alice2.text()).isEqualTo(alice1.text());
            assertThat(anonymous2.header("X-Cache")).isEqualTo("MISS");
            assertThat(anonymous2.text()).startsWith("Cookie=null,");
        }
    }

    @Test
    void aPurgeFreesTheRoutesEntriesAsSoonAsItsVersionIsApplied() throws IOException {
        GatewayServer own = Gateways.start(dir.resolve("purge.json"), Map.of());
        byte[] body = new byte[20_000];
        Arrays.fill(body, (byte) 'p');
        try (Upstream up = Upstream.answering(exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        })) {
            var t = Seed.tenant();
            t.cachedRoute(t.service(up.url()), "/c", "none", ON);
            long version = t.save();
            Gateways.awaitVersion(own, version);
            for (int i = 0; i < 3; i++) {
                RawHttp.get(own.port(), t.host, "/c/" + i);
            }
            String before = RawHttp.get(own.mgmtPort(), "localhost", "/metrics").text();
            assertThat(gauge(before, "tollgate_cache_entries")).isGreaterThanOrEqualTo(3);
            assertThat(gauge(before, "tollgate_cache_bytes")).isGreaterThanOrEqualTo(3L * body.length);

            Route route = t.routes.getFirst();
            Gateways.awaitVersion(own, Seed.change(dsl -> new RouteStore(dsl).purgeCache(t.id, route.id())));

            // no request reaches the route after the purge: applying its version is enough
            long deadline = System.nanoTime() + 5_000_000_000L;
            String after = RawHttp.get(own.mgmtPort(), "localhost", "/metrics").text();
            while (gauge(after, "tollgate_cache_entries") > 0 && System.nanoTime() < deadline) {
                sleep(50);
                after = RawHttp.get(own.mgmtPort(), "localhost", "/metrics").text();
            }
            assertThat(gauge(after, "tollgate_cache_entries")).isZero();
            assertThat(gauge(after, "tollgate_cache_bytes")).isZero();
            assertThat(up.seen).hasSize(3);
        } finally {
            own.stop();
        }
    }

    @Test
    void headIsCachedWithItsContentLength() throws IOException {
        try (Upstream up = Upstream.answering(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.getResponseHeaders().add("Content-Length", "12");
            exchange.sendResponseHeaders(200, -1);
        })) {
            var t = cached(up, ON);

            RawHttp.Reply first = RawHttp.send(gateway.port(), "HEAD", t.host, "/c", null);
            RawHttp.Reply second = RawHttp.send(gateway.port(), "HEAD", t.host, "/c", null);

            assertThat(first.header("X-Cache")).isEqualTo("MISS");
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.header("X-Cache")).isEqualTo("HIT");
            assertThat(second.header("Content-Length")).isEqualTo("12");
            assertThat(up.seen).hasSize(1);
            assertThat(up.last().method()).isEqualTo("HEAD");
        }
    }

    @Test
    void otherMethodsBypassTheCache() throws IOException {
        try (Upstream up = counting()) {
            var t = cached(up, ON);

            get(t, "/c");
            RawHttp.Reply post = RawHttp.send(gateway.port(), "POST", t.host, "/c", "x".getBytes(StandardCharsets.UTF_8));
            RawHttp.Reply range = get(t, "/c", "Range", "bytes=0-1");

            assertThat(post.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(post.text()).isEqualTo("n=2");
            assertThat(range.header("X-Cache")).isEqualTo("BYPASS");
            assertThat(up.seen).hasSize(3);
        }
    }

    @Test
    void queryParametersInAnotherOrderHitTheSameEntry() throws IOException {
        try (Upstream up = counting()) {
            var t = cached(up, ON);

            get(t, "/c?b=2&a=1");
            RawHttp.Reply sorted = get(t, "/c?a=1&b=2");
            RawHttp.Reply repeatedInOtherOrder = get(t, "/c?a=2&b=2&a=1");
            RawHttp.Reply other = get(t, "/c?a=1&b=3");

            assertThat(sorted.header("X-Cache")).isEqualTo("HIT");
            assertThat(repeatedInOtherOrder.header("X-Cache")).isEqualTo("MISS");
            assertThat(other.header("X-Cache")).isEqualTo("MISS");
            // the upstream still gets the query exactly as the client sent it
            assertThat(up.seen.getFirst().rawQuery()).isEqualTo("b=2&a=1");
            assertThat(up.seen).hasSize(3);
        }
    }

    @Test
    void aStaleCopyStandsInWhenTheUpstreamFailsWithinTheWindow() throws IOException {
        AtomicInteger status = new AtomicInteger(200);
        try (Upstream up = Upstream.answering(exchange -> answer(exchange, status.get(), "s=" + status.get()));
             Upstream noWindow = Upstream.answering(exchange -> answer(exchange, status.get(), "s=" + status.get()))) {
            var t = cached(up, new Route.Cache(true, 1, false, 60, 0));
            var strict = cached(noWindow, new Route.Cache(true, 1, false, 0, 0));
            get(t, "/c");
            get(strict, "/c");
            sleep(1_200);
            status.set(503);

            RawHttp.Reply failed = get(t, "/c");
            RawHttp.Reply passedOn = get(strict, "/c");

            assertThat(failed.status()).isEqualTo(200);
            assertThat(failed.header("X-Cache")).isEqualTo("STALE");
            assertThat(failed.text()).isEqualTo("s=200");
            assertThat(Long.parseLong(failed.header("Age"))).isGreaterThanOrEqualTo(1);
            assertThat(passedOn.status()).as("without a stale window the failure goes to the client").isEqualTo(503);
            assertThat(passedOn.header("X-Cache")).isEqualTo("MISS");
        }
    }

    @Test
    void aStaleCopyStandsInWhenTheUpstreamIsGone() throws IOException {
        Upstream up = counting();
        var t = cached(up, new Route.Cache(true, 1, false, 60, 0));
        get(t, "/c");
        up.close();
        sleep(1_200);

        RawHttp.Reply down = get(t, "/c");

        assertThat(down.status()).isEqualTo(200);
        assertThat(down.header("X-Cache")).isEqualTo("STALE");
        assertThat(down.text()).isEqualTo("n=1");
        String metrics = RawHttp.get(gateway.mgmtPort(), "localhost", "/metrics").text();
        assertThat(metrics).containsPattern("tollgate_cache_requests_total\\{result=\"stale\"} [1-9]");
        assertThat(metrics).containsPattern("tollgate_cache_bytes [1-9]");
    }

    @Test
    void mustRevalidateForbidsServingStale() throws IOException {
        AtomicInteger status = new AtomicInteger(200);
        try (Upstream up = Upstream.answering(exchange -> answer(exchange, status.get(), "s=" + status.get(),
                "Cache-Control", "max-age=1, must-revalidate"))) {
            var t = cached(up, new Route.Cache(true, 60, false, 60, 0));
            get(t, "/c");
            sleep(1_200);
            status.set(503);

            assertThat(get(t, "/c").status()).isEqualTo(503);
        }
    }

    @Test
    void aPurgeReachesTheNodeThroughTheConfigAndTouchesNoOtherTenant() throws IOException {
        try (Upstream up = counting()) {
            var a = cached(up, ON);
            var b = cached(up, ON);
            get(a, "/c");
            RawHttp.Reply bFirst = get(b, "/c");
            assertThat(bFirst.header("X-Cache")).as("B never reads A's copy of the same path").isEqualTo("MISS");
            assertThat(get(a, "/c").header("X-Cache")).isEqualTo("HIT");
            assertThat(get(b, "/c").header("X-Cache")).isEqualTo("HIT");

            // what POST .../cache/purge does, in one transaction with the config version bump
            Route route = a.routes.getFirst();
            long version = Seed.change(dsl -> new RouteStore(dsl).purgeCache(a.id, route.id()));
            // a purge scoped by another tenant's id finds nothing to purge
            Seed.change(dsl -> assertThat(new RouteStore(dsl).purgeCache(b.id, route.id())).isEmpty());
            Gateways.awaitVersion(gateway, version);

            RawHttp.Reply purged = get(a, "/c");
            RawHttp.Reply untouched = get(b, "/c");

            assertThat(purged.header("X-Cache")).isEqualTo("MISS");
            assertThat(purged.text()).isEqualTo("n=3");
            assertThat(untouched.header("X-Cache")).isEqualTo("HIT");
            assertThat(untouched.text()).isEqualTo(bFirst.text());
            assertThat(get(a, "/c").header("X-Cache")).isEqualTo("HIT");
        }
    }

    @Test
    void theByteBoundEvictsAndLargeBodiesStreamThroughWhole() throws IOException {
        GatewayServer small = Gateways.start(dir.resolve("small.json"), Map.of(
                "TOLLGATE_CACHE_MAX_BYTES", "300000", "TOLLGATE_CACHE_MAX_ENTRY_BYTES", "100000"));
        byte[] big = new byte[60_000];
        Arrays.fill(big, (byte) 'x');
        byte[] huge = new byte[250_000];
        Arrays.fill(huge, (byte) 'y');
        try (Upstream up = Upstream.answering(exchange -> {
            boolean chunked = exchange.getRequestURI().getPath().contains("chunked");
            byte[] body = exchange.getRequestURI().getPath().contains("huge") ? huge : big;
            exchange.sendResponseHeaders(200, chunked ? 0 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        })) {
            var t = Seed.tenant();
            t.cachedRoute(t.service(up.url()), "/c", "none", ON);
            long version = t.save();
            Gateways.awaitVersion(small, version);
            Gateways.awaitVersion(gateway, version);

            // a body that fits is kept even when chunked (checked while the cache is empty: once it is full, the
            // cache may decline a newcomer that was asked for less often than what it would evict)
            RawHttp.Reply chunked1 = RawHttp.get(small.port(), t.host, "/c/chunked");
            RawHttp.Reply chunked2 = RawHttp.get(small.port(), t.host, "/c/chunked");
            assertThat(chunked2.header("X-Cache")).isEqualTo("HIT");
            assertThat(chunked2.body()).isEqualTo(chunked1.body()).hasSize(big.length);
            up.seen.clear();

            int paths = 10;
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < paths; i++) {
                    RawHttp.Reply reply = RawHttp.get(small.port(), t.host, "/c/" + i);
                    assertThat(reply.body()).hasSize(big.length);
                }
            }
            String metrics = RawHttp.get(small.mgmtPort(), "localhost", "/metrics").text();
            assertThat(gauge(metrics, "tollgate_cache_bytes")).isBetween(1L, 300_000L);
            // ten 60 kB bodies do not fit in 300 kB: the second round found some of them gone. How many of the
            // second round were hits depends on Caffeine's admission policy (a cyclic scan may evict every one), so
            // only the bound and the misses are asserted here; hits are shown by the chunked pair above.
            assertThat(up.seen.size()).isGreaterThan(paths).isLessThanOrEqualTo(2 * paths);

            for (String path : List.of("/c/huge", "/c/huge-chunked")) {
                RawHttp.Reply first = RawHttp.get(small.port(), t.host, path);
                RawHttp.Reply second = RawHttp.get(small.port(), t.host, path);
                assertThat(first.body()).as(path).isEqualTo(huge);
                assertThat(second.body()).as(path).isEqualTo(huge);
                assertThat(second.header("X-Cache")).as(path).isEqualTo("MISS");
            }
        } finally {
            small.stop();
        }
    }

    private static long gauge(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(metrics);
        assertThat(m.find()).as(name).isTrue();
        return Long.parseLong(m.group(1));
    }
}
