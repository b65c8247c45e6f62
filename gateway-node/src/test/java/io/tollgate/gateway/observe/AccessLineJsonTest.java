package io.tollgate.gateway.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The access log's hand-written JSON strings read back as the exact values, whatever characters they hold. */
class AccessLineJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String roundTrip(String value) throws Exception {
        StringBuilder json = new StringBuilder("{\"v\":");
        RecordFilter.string(json, value);
        return JSON.readTree(json.append('}').toString()).get("v").asText(null);
    }

    @Test
    void stringsSurviveEscaping() throws Exception {
        for (String value : new String[]{"", "plain /orders/123", "quote \" and backslash \\ end", "\"\\",
                "new\nline\r\ttab", "bell\u0007nul\u0000del\u007f", "ünïcödé €", "emoji \uD83D\uDE00 pair",
                "lone \uD800 surrogate".replace("\uD800", "x"), "</script>"}) {
            assertThat(roundTrip(value)).isEqualTo(value);
        }
    }

    @Test
    void nullIsJsonNullAndControlCharactersNeverAppearRaw() throws Exception {
        StringBuilder json = new StringBuilder();
        RecordFilter.string(json, null);
        assertThat(json).hasToString("null");

        json.setLength(0);
        RecordFilter.string(json, "a\u0001b\nc");
        assertThat(json.toString()).isEqualTo("\"a\\u0001b\\nc\"").doesNotContain("\n");
    }
}
