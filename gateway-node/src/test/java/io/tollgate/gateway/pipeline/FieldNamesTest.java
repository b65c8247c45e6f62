package io.tollgate.gateway.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Names read from a buffer are exactly the bytes sent; only the usual spellings are shared constants. */
class FieldNamesTest {

    private static String read(String around, String name) {
        byte[] buf = (around + name + around).getBytes(StandardCharsets.ISO_8859_1);
        return FieldNames.of(buf, around.length(), name.length());
    }

    @Test
    void usualNamesInTheirUsualSpellingAreOneConstant() {
        for (String name : List.of("Host", "host", "X-API-Key", "x-api-key", "Content-Type", "content-type",
                "Content-Length", "Date", "traceparent", "X-Forwarded-For", "Transfer-Encoding", "set-cookie")) {
            assertThat(read("::", name)).isEqualTo(name).isSameAs(read("x", name));
        }
        assertThat(read("", "X-API-Key")).isSameAs("X-API-Key");
    }

    @Test
    void everyOtherNameIsReadAsSent() {
        for (String name : List.of("HOST", "Hos", "Hostt", "X-Api-Key", "CONTENT-type", "Traceparent", "X-Custom",
                "", "A-Name-Longer-Than-Any-Usual-One-By-Far", "Caf\u00e9", "Dat\u00e9")) {
            String read = read("::", name);
            assertThat(read).isEqualTo(name).isNotSameAs(read("x", name));
        }
    }
}
