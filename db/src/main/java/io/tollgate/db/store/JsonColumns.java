package io.tollgate.db.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.jooq.JSONB;

import java.util.List;
import java.util.UUID;

/** Conversions between jsonb columns and Java values. */
final class JsonColumns {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };
    private static final TypeReference<List<UUID>> UUIDS = new TypeReference<>() { };

    private JsonColumns() {
    }

    static JSONB of(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return JSONB.valueOf(Json.mapper().writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("value cannot be written as JSON", e);
        }
    }

    static List<String> strings(JSONB column) {
        return read(column, STRINGS);
    }

    static List<UUID> uuids(JSONB column) {
        return column == null ? null : read(column, UUIDS);
    }

    static JsonNode tree(JSONB column) {
        if (column == null) {
            return null;
        }
        try {
            return Json.mapper().readTree(column.data());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }

    static <T> T read(JSONB column, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(column.data(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is not readable", e);
        }
    }
}
