package io.tollgate.common.problem;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An RFC 9457 problem. {@code detail} is shown to clients: it never holds credentials, SQL, stack traces
 * or upstream internals. {@code errors} names the fields that failed validation.
 */
public record Problem(ProblemType type, String detail, String instance, List<FieldError> errors,
                      Map<String, String> headers) {

    public record FieldError(String field, String message) {
    }

    public Problem {
        Objects.requireNonNull(type, "type");
        errors = errors == null ? List.of() : List.copyOf(errors);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static Problem of(ProblemType type, String detail) {
        return new Problem(type, detail, null, List.of(), Map.of());
    }

    public static Problem validation(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? errors.getFirst().field() + ": " + errors.getFirst().message()
                : errors.size() + " fields are not valid";
        return new Problem(ProblemType.VALIDATION_FAILED, detail, null, errors, Map.of());
    }

    public Problem withInstance(String instance) {
        return new Problem(type, detail, instance, errors, headers);
    }

    public Problem withHeader(String name, String value) {
        var copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Problem(type, detail, instance, errors, copy);
    }

    public int status() {
        return type.status();
    }

    public ProblemException toException() {
        return new ProblemException(this);
    }
}
