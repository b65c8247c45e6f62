package io.tollgate.gateway.proxy;

import io.tollgate.gateway.snapshot.UpstreamPool;

import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Says why TLS to an upstream target failed (an untrusted chain, a host name the certificate does not name, a
 * server that would not speak HTTP/2) in one WARNING line per target and reason: the first failure is logged, the
 * same reason again is not until a handshake with that target succeeded. Requests meanwhile fail as connect
 * failures (502 upstream-unavailable, gRPC UNAVAILABLE) and count towards outlier ejection and the breaker, which
 * is what stops them from hammering the target. The line names the target URL and the JDK's reason, which holds
 * certificate subjects and host names, never keys.
 */
final class TlsFailures {
    private static final System.Logger LOG = System.getLogger(TlsFailures.class.getName());
    private static final int MAX_REMEMBERED = 10_000;
    /** target URL -> the reason last logged for it. */
    private static final ConcurrentHashMap<String, String> LOGGED = new ConcurrentHashMap<>();

    private TlsFailures() {
    }

    /** After a failed connect to {@code target}: logs the TLS reason, if it is one and new for the target. */
    static void report(UpstreamPool.Target target, Throwable error) {
        if (!target.tls()) {
            return;
        }
        String reason = reason(error);
        if (reason == null) {
            return;   // refused, timed out, unknown host: an ordinary connect failure, logged at DEBUG by the caller
        }
        if (LOGGED.size() >= MAX_REMEMBERED) {
            LOGGED.clear();
        }
        if (!reason.equals(LOGGED.put(target.url(), reason))) {
            LOG.log(System.Logger.Level.WARNING, "TLS to upstream " + target.url() + " failed, treated as a connect "
                    + "failure: " + reason);
        }
    }

    /** After a handshake with {@code target} succeeded: its next failure is logged again. */
    static void connected(UpstreamPool.Target target) {
        if (!LOGGED.isEmpty()) {
            LOGGED.remove(target.url());
        }
    }

    private static String reason(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                Throwable root = t;
                while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                }
                String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
                return root == t ? message : t.getMessage() + " (" + message + ")";
            }
        }
        return null;
    }
}
