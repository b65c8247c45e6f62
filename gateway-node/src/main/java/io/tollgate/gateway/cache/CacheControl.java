package io.tollgate.gateway.cache;

import java.util.List;
import java.util.Locale;

/**
 * The response {@code Cache-Control} directives a shared cache acts on (RFC 9111 section 5.2.2). A directive with
 * an argument ({@code private="Set-Cookie"}, {@code no-cache="X"}) counts as the directive itself: this cache does
 * not store part of a response. A malformed or negative {@code max-age} / {@code s-maxage} reads as 0 (stale at
 * once, RFC 9111 section 4.2.1); of repeated ones the smallest wins.
 */
record CacheControl(boolean noStore, boolean noCache, boolean isPrivate, boolean mustRevalidate, Long maxAge,
                    Long sMaxAge) {

    static CacheControl parse(List<String> fieldValues) {
        boolean noStore = false;
        boolean noCache = false;
        boolean isPrivate = false;
        boolean mustRevalidate = false;
        Long maxAge = null;
        Long sMaxAge = null;
        for (String value : fieldValues) {
            for (String directive : split(value)) {
                int eq = directive.indexOf('=');
                String name = (eq < 0 ? directive : directive.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                String arg = eq < 0 ? null : unquote(directive.substring(eq + 1).trim());
                switch (name) {
                    case "no-store" -> noStore = true;
                    case "no-cache" -> noCache = true;
                    case "private" -> isPrivate = true;
                    case "must-revalidate", "proxy-revalidate" -> mustRevalidate = true;
                    case "max-age" -> maxAge = smaller(maxAge, seconds(arg));
                    case "s-maxage" -> sMaxAge = smaller(sMaxAge, seconds(arg));
                    default -> {
                        // public, immutable, stale-while-revalidate, extensions: nothing this cache acts on
                    }
                }
            }
        }
        return new CacheControl(noStore, noCache, isPrivate, mustRevalidate, maxAge, sMaxAge);
    }

    /** The upstream's freshness lifetime in seconds: s-maxage, which is meant for shared caches, over max-age. */
    Long lifetime() {
        return sMaxAge != null ? sMaxAge : maxAge;
    }

    /** Directives separated by commas outside quoted strings. */
    private static List<String> split(String value) {
        List<String> out = new java.util.ArrayList<>(4);
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                add(out, current);
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        add(out, current);
        return out;
    }

    private static void add(List<String> out, StringBuilder directive) {
        String d = directive.toString().trim();
        if (!d.isEmpty()) {
            out.add(d);
        }
    }

    private static String unquote(String arg) {
        return arg.length() >= 2 && arg.startsWith("\"") && arg.endsWith("\"") ? arg.substring(1, arg.length() - 1) : arg;
    }

    private static long seconds(String arg) {
        if (arg == null || arg.isEmpty() || arg.length() > 10 || !arg.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Long.parseLong(arg);
    }

    private static Long smaller(Long current, long next) {
        return current == null ? next : Math.min(current, next);
    }
}
