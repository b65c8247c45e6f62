package io.tollgate.admin.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import io.tollgate.common.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The two spellings of a config document. YAML is written block style, quoting only what needs it, without a
 * document start marker; JSON is pretty-printed. Both end with a newline so files diff cleanly. Reading refuses
 * duplicate keys in either, which would otherwise silently drop part of a document.
 */
public final class ConfigFormats {
    public static final String YAML = "application/yaml";
    public static final String JSON = "application/json";

    /** Text that every YAML reader takes as the same plain string: a letter or '/' first, then a few safe characters. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z/][A-Za-z0-9._/-]*");
    private static final ObjectMapper YAML_MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .stringQuotingChecker(new SafeQuoting())
            .build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private ConfigFormats() {
    }

    /**
     * Quotes every string value that is not plainly a string: names such as {@code 123}, {@code 1e3} or
     * {@code .inf} are valid Tollgate names but a YAML reader would take them as numbers, so an export would not
     * read back as itself. Reserved words (yes, no, null, ...) are quoted by the default checker.
     */
    private static final class SafeQuoting extends StringQuotingChecker.Default {
        @Override
        public boolean needToQuoteValue(String value) {
            return super.needToQuoteValue(value) || !PLAIN.matcher(value).matches();
        }
    }

    /** Whether a Content-Type (without parameters) names YAML. */
    public static boolean isYaml(String mediaType) {
        String type = mediaType.toLowerCase(Locale.ROOT);
        return type.equals(YAML) || type.equals("application/x-yaml") || type.equals("text/yaml")
                || type.equals("text/x-yaml");
    }

    public static String write(JsonNode document, boolean yaml) {
        try {
            if (yaml) {
                return YAML_MAPPER.writeValueAsString(document);
            }
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a document; a JSON document is also valid YAML, but JSON is read strictly as JSON. */
    public static JsonNode read(byte[] bytes, boolean yaml) throws IOException {
        return yaml ? YAML_MAPPER.readTree(bytes) : Json.mapper().readTree(bytes);
    }

    public static JsonNode read(String text, boolean yaml) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8), yaml);
    }
}
