package io.tollgate.console.audit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A before/after comparison of two JSON documents, field by field (nested fields as {@code a.b[0].c}). */
final class JsonDiff {
    /** One field: its values before and after, and what happened to it. */
    public record Row(String field, String before, String after, String change) {
    }

    private JsonDiff() {
    }

    static List<Row> of(JsonNode before, JsonNode after) {
        Map<String, String> b = new LinkedHashMap<>();
        Map<String, String> a = new LinkedHashMap<>();
        flatten("", before, b);
        flatten("", after, a);
        Set<String> fields = new LinkedHashSet<>(b.keySet());
        fields.addAll(a.keySet());
        List<Row> rows = new ArrayList<>();
        for (String f : fields) {
            String was = b.get(f);
            String now = a.get(f);
            String change = was == null ? "added" : now == null ? "removed" : was.equals(now) ? "same" : "changed";
            rows.add(new Row(f, was, now, change));
        }
        return rows;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node == null || node.isMissingNode()) {
            return;
        }
        if (node.isObject()) {
            if (node.isEmpty() && !prefix.isEmpty()) {
                out.put(prefix, "{}");
            }
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), out));
        } else if (node.isArray()) {
            if (node.isEmpty()) {
                out.put(prefix, "[]");
            }
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.put(prefix.isEmpty() ? "(value)" : prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }
}
