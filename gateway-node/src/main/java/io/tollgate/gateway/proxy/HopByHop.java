package io.tollgate.gateway.proxy;

import io.tollgate.gateway.pipeline.HttpFields;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** Headers that belong to one connection and must not cross the proxy (RFC 9110 section 7.6.1). */
final class HopByHop {
    private static final String[] ALWAYS_NAMES = {"connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"};
    static final Set<String> ALWAYS = Set.of(ALWAYS_NAMES);

    private HopByHop() {
    }

    /** Whether {@code name} is hop-by-hop whatever the message says. */
    static boolean always(String name) {
        // Runs for every field of every request and answer, and most are not hop-by-hop: the names in ALWAYS
        // start with c, k, p, t or u and are 2, 7, 10 or 16 to 19 characters long, so most fields are ruled out
        // at once; the rest are compared without lower-casing (allocating) their name.
        int length = name.length();
        if (length != 2 && length != 7 && length != 10 && (length < 16 || length > 19)) {
            return false;
        }
        char first = (char) (name.charAt(0) | 0x20);
        if (first != 'c' && first != 'k' && first != 'p' && first != 't' && first != 'u') {
            return false;
        }
        for (String hopByHop : ALWAYS_NAMES) {
            if (HttpFields.lowerIs(name, hopByHop)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The lower-case names the message's Connection fields list, less the ones {@link #always} removes anyway
     * (every caller asks it first); empty, without allocating, when there are none, as for the usual
     * {@code Connection: keep-alive}.
     */
    static Set<String> listedIn(HttpFields headers) {
        Set<String> names = Set.of();
        for (int i = 0, n = headers.size(); i < n; i++) {
            String name = headers.name(i);
            if (name.length() != 10 || !name.equalsIgnoreCase("Connection")) {
                continue;
            }
            for (String token : headers.value(i).split(",")) {
                String listed = token.trim();
                if (!listed.isEmpty() && !always(listed)) {
                    listed = listed.toLowerCase(Locale.ROOT);
                    if (names.isEmpty()) {
                        names = new HashSet<>();
                    }
                    names.add(listed);
                }
            }
        }
        return names;
    }
}
