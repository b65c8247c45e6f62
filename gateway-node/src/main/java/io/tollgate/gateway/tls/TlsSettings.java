package io.tollgate.gateway.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTPS listener's settings: {@code TOLLGATE_TLS_CERT} (PEM certificate chain, leaf first) and
 * {@code TOLLGATE_TLS_KEY} (PEM PKCS#8 private key, RSA, EC or Ed25519) turn it on; {@code TOLLGATE_TLS_PORT}
 * (default 8443) and {@code TOLLGATE_TLS_RELOAD_MS} (default 5000: how often the two files are checked for a new
 * pair). Setting only one of the two files is an error rather than a silently plain-only node.
 */
public record TlsSettings(int port, Path certFile, Path keyFile, Duration reloadInterval) {
    public static final int DEFAULT_PORT = 8443;

    public static Optional<TlsSettings> from(Map<String, String> env) {
        Optional<String> cert = value(env, "TOLLGATE_TLS_CERT");
        Optional<String> key = value(env, "TOLLGATE_TLS_KEY");
        if (cert.isEmpty() && key.isEmpty()) {
            return Optional.empty();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new IllegalArgumentException((cert.isEmpty() ? "TOLLGATE_TLS_CERT" : "TOLLGATE_TLS_KEY")
                    + " must be set too: the HTTPS listener needs both TOLLGATE_TLS_CERT and TOLLGATE_TLS_KEY");
        }
        int port = value(env, "TOLLGATE_TLS_PORT").map(v -> {
            try {
                int parsed = Integer.parseInt(v);
                if (parsed < 0 || parsed > 65_535) {
                    throw new NumberFormatException();
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("TOLLGATE_TLS_PORT must be a port from 0 to 65535, got '" + v + "'");
            }
        }).orElse(DEFAULT_PORT);
        long reloadMs = value(env, "TOLLGATE_TLS_RELOAD_MS").map(v -> {
            try {
                long parsed = Long.parseLong(v);
                if (parsed <= 0) {
                    throw new NumberFormatException();
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("TOLLGATE_TLS_RELOAD_MS must be a positive number of milliseconds, "
                        + "got '" + v + "'");
            }
        }).orElse(5000L);
        return Optional.of(new TlsSettings(port, Path.of(cert.get()), Path.of(key.get()), Duration.ofMillis(reloadMs)));
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
    }
}
