package io.tollgate.console.web;

import java.util.Map;

/**
 * Confirmation messages shown after a redirect ({@code ?done=code}). Only these fixed texts are ever shown, so
 * the query string cannot put words on the page.
 */
final class Notices {
    private static final Map<String, String> TEXTS = Map.ofEntries(
            Map.entry("signed-out", "You are signed out."),
            Map.entry("service-created", "Service created."),
            Map.entry("service-saved", "Service saved."),
            Map.entry("service-deleted", "Service deleted."),
            Map.entry("route-created", "Route created. Gateway nodes pick it up within a second or two."),
            Map.entry("route-saved", "Route saved."),
            Map.entry("route-deleted", "Route deleted."),
            Map.entry("route-cache-purged", "Cache purge sent: gateway nodes drop this route's cached answers with the next config version."),
            Map.entry("key-revoked", "Key revoked. Gateway nodes refuse it from their next config version on."),
            Map.entry("key-saved", "Key saved."),
            Map.entry("tenant-created", "Tenant created."),
            Map.entry("tenant-saved", "Tenant saved."),
            Map.entry("user-created", "User created."),
            Map.entry("user-saved", "User saved."));

    private Notices() {
    }

    static String text(String code) {
        return code == null ? null : TEXTS.get(code);
    }
}
