package io.tollgate.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.tollgate.common.json.Json;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * Cursor pagination: {@code ?limit=&cursor=}. The cursor is the opaque id of the last row of the previous page;
 * ids are time-ordered, so a page is {@code id > cursor order by id}. One extra row is fetched to know whether
 * another page exists.
 */
public record Page(int limit, String after) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public static Page of(ServerRequest req) {
        var query = req.query();
        int limit = DEFAULT_LIMIT;
        if (query.contains("limit")) {
            try {
                limit = Integer.parseInt(query.get("limit"));
            } catch (NumberFormatException e) {
                throw Input.fieldError("limit", "must be a whole number");
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw Input.fieldError("limit", "must be between 1 and " + MAX_LIMIT);
            }
        }
        String after = null;
        if (query.contains("cursor") && !query.get("cursor").isEmpty()) {
            try {
                after = new String(Base64.getUrlDecoder().decode(query.get("cursor")), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw Input.fieldError("cursor", "is not a cursor this API returned");
            }
        }
        return new Page(limit, after);
    }

    public UUID afterId() {
        if (after == null) {
            return null;
        }
        try {
            return UUID.fromString(after);
        } catch (IllegalArgumentException e) {
            throw Input.fieldError("cursor", "is not a cursor this API returned");
        }
    }

    /** How many rows to ask the store for. */
    public int fetchSize() {
        return limit + 1;
    }

    /** {"items": [...], "next_cursor": ...} from rows fetched with {@link #fetchSize()}. */
    public <T> ObjectNode render(List<T> rows, Function<T, ? extends JsonNode> view, Function<T, String> cursorOf) {
        ObjectNode out = Json.mapper().createObjectNode();
        var items = out.putArray("items");
        List<T> shown = rows.size() > limit ? rows.subList(0, limit) : rows;
        shown.forEach(row -> items.add(view.apply(row)));
        if (rows.size() > limit) {
            String last = cursorOf.apply(shown.getLast());
            out.put("next_cursor", Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(last.getBytes(StandardCharsets.UTF_8)));
        } else {
            out.putNull("next_cursor");
        }
        return out;
    }
}
