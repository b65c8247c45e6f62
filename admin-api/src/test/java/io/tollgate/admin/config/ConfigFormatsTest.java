package io.tollgate.admin.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** YAML documents read back as exactly what was written, whatever the names look like. */
class ConfigFormatsTest {
    @Test
    void stringsThatLookLikeOtherYamlValuesReadBackAsStrings() throws IOException {
        ObjectNode doc = Json.mapper().createObjectNode();
        ArrayNode names = doc.putArray("names");
        // Every one is a valid service, route or header name somewhere in Tollgate.
        List.of("orders", "123", "1e3", "0x1F", "1.5", "007", "1_000", ".inf", "-.Inf", ".NaN", "+1", "yes", "no",
                "on", "off", "y", "null", "Null", "true", "2030-01-01", "a:b", "#x", "-", "~",
                "http://127.0.0.1:9", "/orders/v1").forEach(names::add);
        doc.put("count", 3).putNull("nothing").put("flag", false);

        String yaml = ConfigFormats.write(doc, true);

        assertThat(ConfigFormats.read(yaml, true)).isEqualTo(doc);
        assertThat(yaml).contains("  - orders\n", "  - /orders/v1\n", "count: 3\n", "nothing: null\n", "flag: false\n");
    }
}
