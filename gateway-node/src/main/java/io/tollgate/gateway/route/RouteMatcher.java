package io.tollgate.gateway.route;

import io.tollgate.gateway.snapshot.RouteSpec;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Routes compiled for lookup without scanning them all. Each host (and "any host") has a hash table from path
 * prefix to the routes declaring it. A lookup walks the request path's segment boundaries from the longest
 * prefix to "/", probing the table for each; within a prefix, routes naming methods come before catch-alls.
 * Routes for the request's host win over routes for any host.
 *
 * <p>Each table also knows the lengths of its route paths, so a candidate prefix of a length no route path has is
 * passed over without making the prefix String to probe with: a lookup makes Strings only for the few lengths
 * that can match.
 *
 * <p>A route path {@code /v1} matches {@code /v1}, {@code /v1/} and {@code /v1/x} but not {@code /v1x}; matching
 * is on the raw (still percent-encoded) path, so an encoded {@code %2F} never creates a segment boundary.
 */
public final class RouteMatcher {
    /** A matched route and the route path that matched (what strip_prefix removes). */
    public record Match(RouteSpec route, String prefix) {
    }

    private static final Comparator<RouteSpec> METHODS_FIRST =
            Comparator.comparing((RouteSpec r) -> r.methods().isEmpty()).thenComparing(RouteSpec::id);

    /** The routes of one host (or of any host) by path, and which path lengths occur among them. */
    private record Table(Map<String, List<RouteSpec>> byPath, BitSet pathLengths) {
        boolean mayHold(int pathLength) {
            return pathLengths.get(pathLength);
        }
    }

    private final Map<String, Table> byHost;
    private final Table anyHost;
    private final int size;

    private RouteMatcher(Map<String, Table> byHost, Table anyHost, int size) {
        this.byHost = byHost;
        this.anyHost = anyHost;
        this.size = size;
    }

    /** Compiles routes; throws IllegalArgumentException for a path that does not start with '/'. */
    public static RouteMatcher compile(List<RouteSpec> routes) {
        Map<String, Map<String, List<RouteSpec>>> byHost = new HashMap<>();
        Map<String, List<RouteSpec>> anyHost = new HashMap<>();
        for (RouteSpec route : routes) {
            for (String path : route.paths()) {
                if (path.isEmpty() || path.charAt(0) != '/') {
                    throw new IllegalArgumentException("route " + route.id() + " has a path not starting with '/'");
                }
                if (route.hosts().isEmpty()) {
                    anyHost.computeIfAbsent(path, p -> new ArrayList<>()).add(route);
                } else {
                    for (String host : route.hosts()) {
                        byHost.computeIfAbsent(host, h -> new HashMap<>())
                                .computeIfAbsent(path, p -> new ArrayList<>()).add(route);
                    }
                }
            }
        }
        Map<String, Table> frozenHosts = new HashMap<>();
        byHost.forEach((host, table) -> frozenHosts.put(host, freeze(table)));
        return new RouteMatcher(Map.copyOf(frozenHosts), freeze(anyHost), routes.size());
    }

    private static Table freeze(Map<String, List<RouteSpec>> table) {
        Map<String, List<RouteSpec>> frozen = new HashMap<>();
        BitSet lengths = new BitSet();
        table.forEach((path, list) -> {
            list.sort(METHODS_FIRST);
            frozen.put(path, List.copyOf(list));
            lengths.set(path.length());
        });
        return new Table(Map.copyOf(frozen), lengths);
    }

    /** The route for this request, or null. {@code host} is the Host header as sent (port allowed), may be null. */
    public Match match(String host, String method, String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return null;
        }
        String name = normalizeHost(host);
        if (name != null) {
            Table table = byHost.get(name);
            if (table != null) {
                Match match = longestPrefix(table, method, rawPath);
                if (match != null) {
                    return match;
                }
            }
        }
        return longestPrefix(anyHost, method, rawPath);
    }

    public int size() {
        return size;
    }

    /** Calls {@code action} with every route, possibly more than once (a route listed under several hosts or paths). */
    public void forEachRoute(java.util.function.Consumer<RouteSpec> action) {
        byHost.values().forEach(table -> table.byPath().values().forEach(routes -> routes.forEach(action)));
        anyHost.byPath().values().forEach(routes -> routes.forEach(action));
    }

    private static Match longestPrefix(Table table, String method, String path) {
        if (table.byPath().isEmpty()) {
            return null;
        }
        // Candidates from longest to shortest: the whole path, then at each '/' the prefix with and without it.
        int end = path.length();
        Match match = probe(table, method, path);
        if (match != null) {
            return match;
        }
        while (end > 0) {
            int slash = path.lastIndexOf('/', end - 1);
            if (slash < 0) {
                break;
            }
            if (slash + 1 < path.length() && slash + 1 != end && table.mayHold(slash + 1)) {
                match = probe(table, method, path.substring(0, slash + 1));
                if (match != null) {
                    return match;
                }
            }
            if (slash > 0 && table.mayHold(slash)) {
                match = probe(table, method, path.substring(0, slash));
                if (match != null) {
                    return match;
                }
            }
            end = slash;
        }
        return null;
    }

    private static Match probe(Table table, String method, String prefix) {
        List<RouteSpec> candidates = table.byPath().get(prefix);
        if (candidates == null) {
            return null;
        }
        for (RouteSpec route : candidates) {
            if (route.allowsMethod(method)) {
                return new Match(route, prefix);
            }
        }
        return null;
    }

    /** Lower case, without port; IPv6 literals keep their brackets. Null or blank gives null. */
    public static String normalizeHost(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
