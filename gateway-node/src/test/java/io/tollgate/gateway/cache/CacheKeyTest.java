package io.tollgate.gateway.cache;

import io.tollgate.gateway.pipeline.HttpFields;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What a variant key keeps of the request headers the upstream's Vary names. */
class CacheKeyTest {

    private static final CacheKey.Base BASE = new CacheKey.Base(UUID.randomUUID(), UUID.randomUUID(), 0, "GET",
            "http", "a.example.test", "/c", "", null);

    @Test
    void credentialHeadersNamedByVaryAreKeptAsDigestsNeverInPlainText() {
        List<String> names = List.of("accept-language", "authorization", "cookie", "proxy-authorization", "x-api-key");
        HttpFields alice = new HttpFields().add("Accept-Language", "en").add("Authorization", "Bearer alice-secret")
                .add("Cookie", "session=alice-cookie").add("Proxy-Authorization", "Basic alice-proxy")
                .add("X-API-Key", "tg_alice-key");
        HttpFields bob = new HttpFields().add("Accept-Language", "en").add("Authorization", "Bearer bob-secret")
                .add("Cookie", "session=bob-cookie").add("Proxy-Authorization", "Basic bob-proxy")
                .add("X-API-Key", "tg_bob-key");

        CacheKey.Variant a = CacheKey.variant(BASE, names, alice);
        CacheKey.Variant b = CacheKey.variant(BASE, names, bob);

        assertThat(a.varyValues().getFirst()).isEqualTo("en");
        assertThat(a.toString()).doesNotContain("alice-secret", "alice-cookie", "alice-proxy", "alice-key");
        assertThat(a.varyValues().subList(1, 5)).allMatch(v -> v.matches("sha256:[0-9a-f]{64}"));
        assertThat(a).as("other credentials, another variant").isNotEqualTo(b);
        assertThat(CacheKey.variant(BASE, names, alice)).as("the same credentials, the same variant").isEqualTo(a);
        assertThat(CacheKey.variant(BASE, names, new HttpFields().add("Accept-Language", "en")).varyValues())
                .as("a header not sent stays distinct from any value").containsOnly("en", CacheKey.ABSENT);
    }
}
