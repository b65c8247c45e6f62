package io.tollgate.console.web;

import io.helidon.webserver.http.ServerRequest;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An application/x-www-form-urlencoded body, read once; values are stripped of surrounding blanks. */
public final class Form {
    static final int MAX_BYTES = 256 * 1024;

    private final Map<String, List<String>> values;

    private Form(Map<String, List<String>> values) {
        this.values = values;
    }

    static Form read(ServerRequest req) {
        String type = req.headers().contentType().map(t -> t.mediaType().text().toLowerCase()).orElse("");
        if (!type.equals("application/x-www-form-urlencoded")) {
            return new Form(Map.of());
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw ProblemException.of(ProblemType.MALFORMED_REQUEST, "the form could not be read");
        }
        if (bytes.length > MAX_BYTES) {
            throw ProblemException.of(ProblemType.PAYLOAD_TOO_LARGE, "the form is too large");
        }
        return parse(new String(bytes, StandardCharsets.US_ASCII));
    }

    static Form parse(String body) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw ProblemException.of(ProblemType.MALFORMED_REQUEST, "the form is not well encoded");
            }
        }
        return new Form(values);
    }

    /** The first value, stripped; empty string when absent. */
    public String text(String name) {
        List<String> v = values.get(name);
        return v == null || v.isEmpty() ? "" : v.getFirst().strip();
    }

    public List<String> all(String name) {
        return values.getOrDefault(name, List.of()).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    public boolean checked(String name) {
        return values.containsKey(name);
    }

    /** The values to show again in a form that failed validation; never include password or key fields. */
    public Map<String, String> echo(String... names) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(name, text(name));
        }
        return out;
    }
}
