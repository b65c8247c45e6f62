package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.HttpFields;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class HopByHopTest {

    @Test
    void everyHopByHopNameIsFoundInAnyCase() {
        assertThat(HopByHop.ALWAYS).hasSize(9);
        for (String name : HopByHop.ALWAYS) {
            assertThat(HopByHop.always(name)).as(name).isTrue();
            assertThat(HopByHop.always(name.toUpperCase(Locale.ROOT))).as(name).isTrue();
            StringBuilder mixed = new StringBuilder();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                mixed.append(i % 2 == 0 ? Character.toUpperCase(c) : c);
            }
            assertThat(HopByHop.always(mixed.toString())).as(mixed.toString()).isTrue();
        }
    }

    @Test
    void endToEndFieldsAreNot() {
        for (String name : List.of("Host", "Accept", "Content-Type", "Content-Length", "Cookie", "Authorization",
                "X-API-Key", "TE2", "Trailers", "Connections", "Keep-Alive-X", "Proxy-Connection-",
                "Upgrade-Insecure-Requests",
                "Cache-Control", "Te-", "Transfer-Encodings", "x", "Ü")) {
            assertThat(HopByHop.always(name)).as(name).isFalse();
        }
    }

    @Test
    void namesListedInConnectionAreCollectedLowerCase() {
        HttpFields fields = new HttpFields().add("connection", "X-Secret, close").add("CONNECTION", " Foo ")
                .add("Connectionx", "Ignored").add("Host", "a");
        assertThat(HopByHop.listedIn(fields)).containsExactlyInAnyOrder("x-secret", "close", "foo");
        assertThat(HopByHop.listedIn(new HttpFields().add("Host", "a"))).isEmpty();
    }

    @Test
    void namesThatAreHopByHopAnywayAreNotCollected() {
        assertThat(HopByHop.listedIn(new HttpFields().add("Connection", "keep-alive"))).isEmpty();
        assertThat(HopByHop.listedIn(new HttpFields().add("Connection", " Keep-Alive , TE,upgrade")
                .add("connection", "Close"))).containsExactly("close");
        assertThat(HopByHop.listedIn(new HttpFields().add("Connection", "Keep-Alive, X-Hop"))).containsExactly("x-hop");
    }
}
