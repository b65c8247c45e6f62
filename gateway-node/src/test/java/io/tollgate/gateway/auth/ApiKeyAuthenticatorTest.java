package io.tollgate.gateway.auth;

import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Pipeline;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.Snapshot;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The key check on its own: which credentials pass, on event-loop (platform) and virtual threads alike. */
class ApiKeyAuthenticatorTest {
    private static final UUID TENANT = UUID.randomUUID();
    private static final RouteSpec ROUTE = new RouteSpec(UUID.randomUUID(), TENANT, "orders", List.of(),
            List.of("/"), Set.of(), false, RouteSpec.AUTH_API_KEY, null, null, false, Set.of(), null, null);

    private static KeySpec key(String publicId, String secret) throws Exception {
        // the digest as the snapshot compiler gives it: decoded from the stored lower-case hex
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(StandardCharsets.UTF_8)));
        return new KeySpec(UUID.randomUUID(), TENANT, publicId, HexFormat.of().parseHex(hex), null, null, null,
                null, null);
    }

    private static Exchange exchange(Snapshot snapshot, String header, String value) {
        Exchange exchange = new Exchange("GET", "/", null, "h", "http", "127.0.0.1",
                new HttpFields().add("Accept", "*/*").add(header, value), InputStream.nullInputStream(), -1, false,
                System.nanoTime(), snapshot);
        exchange.route(ROUTE, "/", null);
        return exchange;
    }

    private static Response run(Exchange exchange) {
        return Pipeline.of(List.of(new ApiKeyAuthenticator(Clock.systemUTC()),
                (e, chain) -> Response.of(200, new HttpFields(), null))).run(exchange);
    }

    @Test
    void theRightSecretPassesAndIsNotForwarded() throws Exception {
        KeySpec key = key("pub1", "s3cret_with_underscores");
        Snapshot snapshot = new Snapshot(1, null, Map.of("pub1", key), Map.of());

        for (int i = 0; i < 3; i++) {   // the same thread's digest serves one request after another
            Exchange exchange = exchange(snapshot, "X-API-Key", "tg_pub1_s3cret_with_underscores");
            assertThat(run(exchange).status()).isEqualTo(200);
            assertThat(exchange.key()).isSameAs(key);
            assertThat(exchange.requestHeaders().contains("X-API-Key")).isFalse();
        }
    }

    @Test
    void aWrongSecretIsUnauthenticatedButNamesTheKey() throws Exception {
        KeySpec key = key("pub1", "s3cret");
        Snapshot snapshot = new Snapshot(1, null, Map.of("pub1", key), Map.of());

        Exchange wrong = exchange(snapshot, "X-API-Key", "tg_pub1_s3creT");
        Response response = run(wrong);
        assertThat(response.problem().type()).isEqualTo(ProblemType.UNAUTHENTICATED);
        assertThat(wrong.claimedKey()).isSameAs(key);
        assertThat(wrong.key()).isNull();

        // a good secret after a wrong one on the same thread: nothing of the wrong one stays in the digest
        assertThat(run(exchange(snapshot, "X-API-Key", "tg_pub1_s3cret")).status()).isEqualTo(200);
    }

    @Test
    void aPublicIdWithAnUnderscoreIsFoundByTryingEachSplit() throws Exception {
        KeySpec key = key("pub_2", "x_y");
        Snapshot snapshot = new Snapshot(1, null, Map.of("pub_2", key), Map.of());

        Exchange exchange = exchange(snapshot, "Authorization", "Bearer tg_pub_2_x_y");
        assertThat(run(exchange).status()).isEqualTo(200);
        assertThat(exchange.requestHeaders().contains("Authorization")).isFalse();

        assertThat(run(exchange(snapshot, "X-API-Key", "tg__pub_2_x_y")).problem().type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
        assertThat(run(exchange(snapshot, "X-API-Key", "pub_2_x_y")).problem().type())
                .isEqualTo(ProblemType.UNAUTHENTICATED);
    }

    @Test
    void aKeyIsCheckedTheSameOnAVirtualThread() throws Exception {
        KeySpec key = key("pub1", "s3cret-ünïcödé");
        Snapshot snapshot = new Snapshot(1, null, Map.of("pub1", key), Map.of());
        AtomicReference<Integer> good = new AtomicReference<>();
        AtomicReference<ProblemType> bad = new AtomicReference<>();

        Thread.ofVirtual().start(() -> {
            good.set(run(exchange(snapshot, "X-API-Key", "tg_pub1_s3cret-ünïcödé")).status());
            bad.set(run(exchange(snapshot, "X-API-Key", "tg_pub1_s3cret-unicode")).problem().type());
        }).join();

        assertThat(good.get()).isEqualTo(200);
        assertThat(bad.get()).isEqualTo(ProblemType.UNAUTHENTICATED);
        assertThat(ApiKeyAuthenticator.sha256("s3cret-ünïcödé")).isEqualTo(key.secretSha256());
    }
}
