package io.tollgate.gateway.proxy;

import io.tollgate.gateway.snapshot.UpstreamPool;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLException;

/**
 * Says why TLS to an upstream target failed (an untrusted chain, a host name the certificate does not name, a
 * server that would not speak HTTP/2, a host name the TLS setup refuses) in WARNING lines, at most one per target
 * and reason per {@link #WINDOW}: the first failure is logged, later ones within the window are only counted, and
 * the next line after the window says how many were left out. A success does not reset this, so an upstream that
 * alternates good and bad handshakes (which outlier ejection and the breaker, counting consecutive failures, never
 * stop) logs no more than one that always fails. Requests meanwhile fail as connect failures (502
 * upstream-unavailable, gRPC UNAVAILABLE).
 *
 * <p>At most {@link #MAX_REMEMBERED} target and reason pairs are remembered; when that many failed within one
 * window, further pairs share one line per window between them, so the map stays bounded without letting all of
 * them log again. The line names the target URL and the JDK's reason, which holds certificate subjects and host
 * names, never keys.
 */
final class TlsFailures {
    static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_REMEMBERED = 1_000;
    private static final System.Logger LOG = System.getLogger(TlsFailures.class.getName());
    /** Where pairs beyond {@link #MAX_REMEMBERED} are counted together. */
    private static final String OVERFLOW = "";
    private static final TlsFailures NODE = new TlsFailures(System::nanoTime, MAX_REMEMBERED);

    /** One target and reason: when its current window began and how often it failed since without a line. */
    private record Window(long startedNanos, int suppressed) {
    }

    private final LongSupplier nanoClock;
    private final int maxRemembered;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    TlsFailures(LongSupplier nanoClock, int maxRemembered) {
        this.nanoClock = nanoClock;
        this.maxRemembered = maxRemembered;
    }

    /** After a failed connect to {@code target}: logs the TLS reason, if it is one, within the node's rate. */
    static void report(UpstreamPool.Target target, Throwable error) {
        NODE.failed(target, error);
    }

    /** After a failed connect to {@code target}: logs the TLS reason, if it is one, within this instance's rate. */
    void failed(UpstreamPool.Target target, Throwable error) {
        if (!target.tls()) {
            return;
        }
        String reason = reason(error);
        if (reason == null) {
            return;   // refused, timed out, unknown host: an ordinary connect failure, logged at DEBUG by the caller
        }
        long now = nanoClock.getAsLong();
        String key = target.url() + ' ' + reason;
        if (!windows.containsKey(key) && windows.size() >= maxRemembered) {
            windows.values().removeIf(w -> now - w.startedNanos() >= WINDOW.toNanos());
            if (windows.size() >= maxRemembered) {
                key = OVERFLOW;
            }
        }
        int[] leftOut = {-1};
        windows.compute(key, (k, window) -> {
            if (window == null || now - window.startedNanos() >= WINDOW.toNanos()) {
                leftOut[0] = window == null ? 0 : window.suppressed();
                return new Window(now, 0);
            }
            return new Window(window.startedNanos(), window.suppressed() + 1);
        });
        if (leftOut[0] < 0) {
            return;
        }
        StringBuilder line = new StringBuilder("TLS to upstream ").append(target.url())
                .append(" failed, treated as a connect failure: ").append(reason);
        if (leftOut[0] > 0) {
            line.append(" (").append(leftOut[0]).append(" more TLS failures ")
                    .append(key.equals(OVERFLOW) ? "of other targets" : "like this")
                    .append(" not logged since the last line)");
        }
        if (key.equals(OVERFLOW)) {
            line.append(" (over ").append(maxRemembered).append(" targets failing: one line a minute for the rest)");
        }
        LOG.log(System.Logger.Level.WARNING, line.toString());
    }

    /** Target and reason pairs remembered now (at most {@link #MAX_REMEMBERED} plus the shared overflow one). */
    int remembered() {
        return windows.size();
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
            if (t instanceof IllegalArgumentException) {
                // the TLS setup refused the target before a byte was sent, e.g. a host name ending in '.' that
                // SNI cannot carry: without this line every request would be a 502 with only a DEBUG line
                return "TLS setup refused the target: " + t.getMessage();
            }
        }
        return null;
    }
}
