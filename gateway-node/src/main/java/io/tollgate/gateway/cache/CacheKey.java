package io.tollgate.gateway.cache;

import io.tollgate.gateway.pipeline.HttpFields;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

/**
 * What identifies a cached answer. {@link Base}: everything known before the upstream answers — tenant, route and
 * its purge generation, method, scheme (the upstream is told it in {@code X-Forwarded-Proto} and may answer HTTPS
 * clients differently, e.g. with absolute https links), host, raw path, the query with its parameters sorted by name, and the consumer when
 * the route caches per consumer. {@link Variant}: a base plus the request's values of the headers the upstream's
 * {@code Vary} named, which are learned from the first answer and kept under the base key.
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

    static Variant variant(Base base, List<String> varyNames, HttpFields request) {
        List<String> values = new ArrayList<>(varyNames.size());
        for (String name : varyNames) {
            List<String> sent = request.all(name);
            values.add(sent.isEmpty() ? ABSENT : String.join(",", sent));
        }
        return new Variant(base, List.copyOf(values));
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
