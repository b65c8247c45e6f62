package io.tollgate.admin.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.tollgate.common.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * The JSON Schema of a config document, cut out of {@code openapi.yaml} (whose schemas are JSON Schema 2020-12):
 * {@code ConfigDocument} and every schema it refers to, as {@code $defs}. One source, so the schema an editor
 * checks a file against is the one the contract test holds the API to.
 */
final class ConfigSchema {
    private static final String COMPONENTS = "#/components/schemas/";
    private static volatile byte[] bytes;

    private ConfigSchema() {
    }

    static byte[] bytes() {
        if (bytes == null) {
            bytes = (ConfigFormats.write(build(), false)).getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    static ObjectNode build() {
        JsonNode openApi;
        try (InputStream in = ConfigSchema.class.getResourceAsStream("/openapi.yaml")) {
            openApi = ConfigFormats.read(in.readAllBytes(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonNode schemas = openApi.path("components").path("schemas");
        ObjectNode defs = Json.mapper().createObjectNode();
        Deque<String> todo = new ArrayDeque<>();
        todo.add("ConfigDocument");
        TreeSet<String> done = new TreeSet<>();
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (!done.add(name)) {
                continue;
            }
            JsonNode schema = schemas.get(name);
            if (schema == null) {
                throw new IllegalStateException("openapi.yaml has no schema " + name);
            }
            JsonNode copy = schema.deepCopy();
            rewriteRefs(copy, todo);
            defs.set(name, copy);
        }
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("$id", "https://tollgate.dev/schemas/config.schema.json");
        root.put("title", "Tollgate config document (" + ConfigDocument.FORMAT + ")");
        root.put("$ref", "#/$defs/ConfigDocument");
        ObjectNode sortedDefs = root.putObject("$defs");
        done.forEach(name -> sortedDefs.set(name, defs.get(name)));
        return root;
    }

    /** Points each {@code $ref} at {@code $defs} and queues what it names. */
    private static void rewriteRefs(JsonNode node, Deque<String> todo) {
        if (node.isObject()) {
            ObjectNode object = (ObjectNode) node;
            for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("$ref") && e.getValue().isTextual()
                        && e.getValue().asText().startsWith(COMPONENTS)) {
                    String name = e.getValue().asText().substring(COMPONENTS.length());
                    todo.add(name);
                    e.setValue(TextNode.valueOf("#/$defs/" + name));
                } else {
                    rewriteRefs(e.getValue(), todo);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> rewriteRefs(child, todo));
        }
    }
}
