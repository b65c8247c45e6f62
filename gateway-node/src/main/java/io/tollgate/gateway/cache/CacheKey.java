package io.tollgate.gateway.cache;

import io.tollgate.gateway.pipeline.HttpFields;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * What identifies a cached answer. {@link Base}: everything known before the upstream answers — tenant, route and
 * its purge generation, method, scheme (the upstream is told it in {@code X-Forwarded-Proto} and may answer HTTPS
 * clients differently, e.g. with absolute https links), host, raw path, the query with its parameters sorted by name, and the consumer when
 * the route caches per consumer. {@link Variant}: a base plus the request's values of the headers the upstream's
 * {@code Vary} named, which are learned from the first answer and kept under the base key (credential headers
 * as a SHA-256 of their value, see {@link #CREDENTIAL_HEADERS}).
 */
sealed interface CacheKey permits CacheKey.Base, CacheKey.Variant {
    /** Marks a header the request did not send, unlike one sent empty. */
    String ABSENT = "\u0000";

    Base base();

    /** Heap taken by the key, roughly, for the byte bound. */
    int weight();

    record Base(UUID tenantId, UUID routeId, long generation, String method, String scheme, String host, String path,
                String query, String consumer) implements CacheKey {
        @Override
        public Base base() {
            return this;
        }

        @Override
        public int weight() {
            return 96 + host.length() + path.length() + query.length() + (consumer == null ? 0 : consumer.length());
        }
    }

    record Variant(Base base, List<String> varyValues) implements CacheKey {
        @Override
        public int weight() {
            int sum = 48 + base.weight();
            for (String v : varyValues) {
                sum += 16 + v.length();
            }
            return sum;
        }
    }

    /**
     * Request headers that carry credentials: when the upstream's {@code Vary} names one of them, the key keeps a
     * SHA-256 of the value, never the value itself (keys sit in the heap, and show in heap dumps).
     */
    Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "cookie", "x-api-key");

    /** {@code varyNames} are lower-case (as {@link CacheFilter} reads them from {@code Vary}). */
    static Variant variant(Base base, List<String> varyNames, HttpFields request) {
        List<String> values = new ArrayList<>(varyNames.size());
        for (String name : varyNames) {
            List<String> sent = request.all(name);
            String value = sent.isEmpty() ? ABSENT : String.join(",", sent);
            values.add(sent.isEmpty() || !CREDENTIAL_HEADERS.contains(name.toLowerCase(Locale.ROOT))
                    ? value : "sha256:" + sha256(value));
        }
        return new Variant(base, List.copyOf(values));
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes. */
    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The raw query with its parameters in order of name; parameters of the same name keep their order, since
     * {@code a=1&a=2} and {@code a=2&a=1} may mean different things. Empty parameters ({@code a=1&&b=2}) drop out.
     */
    static String normalizedQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        String[] params = Arrays.stream(rawQuery.split("&")).filter(p -> !p.isEmpty()).toArray(String[]::new);
        // a stable sort: equal names keep their relative order
        Arrays.sort(params, Comparator.comparing(CacheKey::name));
        return String.join("&", params);
    }

    private static String name(String param) {
        int eq = param.indexOf('=');
        return eq < 0 ? param : param.substring(0, eq);
    }
}
