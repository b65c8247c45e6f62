package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.HttpFields;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Headers that belong to one connection and must not cross the proxy (RFC 9110 section 7.6.1). */
final class HopByHop {
    private static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {
    }

    /** Whether {@code name} is hop-by-hop whatever the message says. */
    static boolean always(String name) {
        // every name in ALWAYS is 2 to 19 characters long; most fields on the wire are not hop-by-hop
        int length = name.length();
        return length >= 2 && length <= 19 && ALWAYS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The lower-case names the message's Connection fields list (empty, without allocating, when there is none). */
    static Set<String> listedIn(HttpFields headers) {
        Set<String> names = Set.of();
        for (int i = 0, n = headers.size(); i < n; i++) {
            if (!headers.name(i).equalsIgnoreCase("Connection")) {
                continue;
            }
            for (String token : headers.value(i).split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    if (names.isEmpty()) {
                        names = new HashSet<>();
                    }
                    names.add(name);
                }
            }
        }
        return names;
    }
}
