package io.tollgate.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads one JSON object field by field, collecting every error with the field it belongs to, so a client sees
 * all its mistakes in one 400 response. Unknown fields are errors too: a typo must not be silently ignored.
 */
public final class Input {
    private final ObjectNode node;
    private final String prefix;
    private final List<Problem.FieldError> errors;

    private Input(ObjectNode node, String prefix, List<Problem.FieldError> errors) {
        this.node = node;
        this.prefix = prefix;
        this.errors = errors;
    }

    public static Input of(ObjectNode node, Set<String> known) {
        Input input = new Input(node, "", new ArrayList<>());
        input.rejectUnknown(known);
        return input;
    }

    public Input nested(String field, Set<String> known) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            error(field, "must be an object");
            return null;
        }
        Input nested = new Input((ObjectNode) value, prefix + field + ".", errors);
        nested.rejectUnknown(known);
        return nested;
    }

    private void rejectUnknown(Set<String> known) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                error(name, "is not a known field");
            }
        });
    }

    public boolean has(String field) {
        return node.has(field);
    }

    /** The field is present and JSON null. */
    public boolean nullValue(String field) {
        return node.has(field) && node.get(field).isNull();
    }

    public void error(String field, String message) {
        errors.add(new Problem.FieldError(prefix + field, message));
    }

    public String string(String field, boolean required, int maxLength, Pattern pattern, String patternHint) {
        return string(field, required, maxLength, pattern, patternHint, false);
    }

    /** A text that may span lines (a PEM block): line breaks are allowed, other control characters are not. */
    public String multiline(String field, boolean required, int maxLength) {
        return string(field, required, maxLength, null, null, true);
    }

    private String string(String field, boolean required, int maxLength, Pattern pattern, String patternHint,
                          boolean lines) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            error(field, "must be a string");
            return null;
        }
        String text = value.asText().strip();
        if (required && text.isEmpty()) {
            error(field, "must not be empty");
            return null;
        }
        if (text.length() > maxLength) {
            error(field, "must be at most " + maxLength + " characters");
            return null;
        }
        if (text.chars().anyMatch(c -> Character.isISOControl(c) && !(lines && (c == '\n' || c == '\r')))) {
            error(field, "must not contain control characters (line breaks, tabs, ...)");
            return null;
        }
        if (pattern != null && !pattern.matcher(text).matches()) {
            error(field, patternHint);
            return null;
        }
        return text;
    }

    public String oneOf(String field, boolean required, Set<String> allowed, String fallback) {
        String text = string(field, required, 64, null, null);
        if (text == null) {
            return node.has(field) ? null : fallback;
        }
        if (!allowed.contains(text)) {
            error(field, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
            return null;
        }
        return text;
    }

    public Long number(String field, boolean required, long min, long max) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            error(field, "must be a whole number");
            return null;
        }
        long n = value.asLong();
        if (n < min || n > max) {
            error(field, "must be between " + min + " and " + max);
            return null;
        }
        return n;
    }

    public Integer integer(String field, boolean required, int min, int max) {
        Long n = number(field, required, min, max);
        return n == null ? null : n.intValue();
    }

    public Boolean bool(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            error(field, "must be true or false");
            return null;
        }
        return value.asBoolean();
    }

    public OffsetDateTime instant(String field) {
        String text = string(field, false, 64, null, null);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            error(field, "must be an RFC 3339 date-time such as 2030-01-31T12:00:00Z");
            return null;
        }
    }

    /** A JSON array read element by element; {@code element} returns null after reporting a bad element. */
    public <T> List<T> list(String field, boolean required, int maxSize, Function<Element, T> element) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                error(field, "is required");
            }
            return null;
        }
        if (!value.isArray()) {
            error(field, "must be an array");
            return null;
        }
        if (value.size() > maxSize) {
            error(field, "must have at most " + maxSize + " entries");
            return null;
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            T item = element.apply(new Element(this, field + "[" + i + "]", value.get(i)));
            if (item != null) {
                out.add(item);
            }
        }
        return out;
    }

    /** One array element and the means to report an error against it. */
    public record Element(Input owner, String field, JsonNode value) {
        public void error(String message) {
            owner.error(field, message);
        }

        public Optional<String> text() {
            if (!value.isTextual()) {
                error("must be a string");
                return Optional.empty();
            }
            return Optional.of(value.asText().strip());
        }

        public Input object(Set<String> known) {
            if (!value.isObject()) {
                error("must be an object");
                return null;
            }
            Input nested = new Input((ObjectNode) value, owner.prefix + field + ".", owner.errors);
            nested.rejectUnknown(known);
            return nested;
        }
    }

    /** Throws the collected errors as one 400 problem, if there are any. */
    public void validate() {
        if (!errors.isEmpty()) {
            throw Problem.validation(errors).toException();
        }
    }

    public static RuntimeException fieldError(String field, String message) {
        return Problem.validation(List.of(new Problem.FieldError(field, message))).toException();
    }

    static RuntimeException malformed(String detail) {
        return io.tollgate.common.problem.ProblemException.of(ProblemType.MALFORMED_REQUEST, detail);
    }
}
