package io.tollgate.gateway.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS from the gateway to upstream targets ({@code https://} target URLs). What is trusted: the JDK's default trust
 * store plus, when {@code TOLLGATE_UPSTREAM_CA_FILE} names one, the operator's PEM bundle (one or more CA
 * certificates), read once at node start. Every handshake verifies the chain and the host name
 * ({@code HTTPS} endpoint identification against the target's host, or its IP address for an IP literal) and sends
 * SNI with the host name (not for IP literals, which RFC 6066 forbids). There is deliberately no way to turn
 * verification off.
 *
 * <p>One {@link SSLContext} for the whole node, so its client session cache lets a new connection to a target
 * resume the session of an earlier one (an abbreviated handshake).
 */
public final class UpstreamTls {
    /** The setting naming the operator's CA bundle. */
    public static final String CA_FILE = "TOLLGATE_UPSTREAM_CA_FILE";
    /** Closes the sockets of handshakes that outlive their time: one daemon thread for the node, started on use. */
    private static final ScheduledThreadPoolExecutor HANDSHAKE_TIMEOUTS = handshakeTimeouts();
    private static final int DONE = 1;
    private static final int CUT = 2;

    private final SSLContext context;
    private final int operatorCas;

    private UpstreamTls(SSLContext context, int operatorCas) {
        this.context = context;
        this.operatorCas = operatorCas;
    }

    /**
     * The trust the node starts with: the JDK default trust store, plus the bundle {@link #CA_FILE} names in
     * {@code env}. An unreadable bundle, or one holding no certificate, stops the node with a message naming it.
     */
    public static UpstreamTls from(Map<String, String> env) {
        Optional<Path> file = Optional.ofNullable(env.get(CA_FILE)).map(String::trim).filter(v -> !v.isEmpty())
                .map(Path::of);
        List<X509Certificate> extra = file.map(UpstreamTls::bundle).orElse(List.of());
        return new UpstreamTls(context(extra), extra.size());
    }

    private static List<X509Certificate> bundle(Path file) {
        byte[] pem;
        try {
            pem = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(CA_FILE + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")", e);
        }
        try {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(CA_FILE + ": " + file + " holds no PEM certificate");
            }
            return certs;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(CA_FILE + ": " + file + " is not a readable PEM certificate bundle ("
                    + e.getMessage() + ")", e);
        }
    }

    private static ScheduledThreadPoolExecutor handshakeTimeouts() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                runnable -> Thread.ofPlatform().daemon().name("tollgate-upstream-tls-handshake-timeouts")
                        .unstarted(runnable));
        timer.setRemoveOnCancelPolicy(true);   // nearly every handshake cancels its timer
        return timer;
    }

    /** A client context trusting the JDK's default CAs and {@code extra}. */
    private static SSLContext context(List<X509Certificate> extra) {
        try {
            TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            defaults.init((KeyStore) null);
            List<X509Certificate> anchors = new ArrayList<>();
            for (TrustManager manager : defaults.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    anchors.addAll(List.of(x509.getAcceptedIssuers()));
                }
            }
            anchors.addAll(extra);
            // one store with both sets: the JDK's trust manager then does path building and endpoint
            // identification itself, for either kind of anchor
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("anchor-" + i, anchors.get(i));
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS to upstreams: " + e, e);
        }
    }

    /** The context (for clients that make their own sockets, such as the health checker's HTTP client). */
    public SSLContext context() {
        return context;
    }

    /** How many CA certificates the operator's bundle added (0 without one). */
    public int operatorCas() {
        return operatorCas;
    }

    /**
     * Connects to {@code host:port} and completes a verified handshake offering {@code alpn}, the two together
     * within {@code budget} (the caller caps it by the request's deadline). The caller checks
     * {@link SSLSocket#getApplicationProtocol()}.
     *
     * @throws IOException refused, timed out ({@link SocketTimeoutException}), or a handshake that failed (untrusted
     *                     chain, wrong host name)
     */
    public SSLSocket connect(String host, int port, Duration budget, List<String> alpn, Consumer<Socket> options)
            throws IOException {
        long until = System.nanoTime() + budget.toNanos();
        Socket raw = new Socket();
        try {
            options.accept(raw);
            raw.connect(new InetSocketAddress(host, port), millis(budget));
            return handshake(raw, host, port, Duration.ofNanos(until - System.nanoTime()), alpn);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /**
     * The verified handshake over {@code raw}, already connected to {@code host:port}, offering {@code alpn}; it
     * takes at most {@code timeout} in all (a server dripping its handshake a byte at a time gets no longer: a
     * timer closes {@code raw} when the time is up), after which {@code raw}'s SO_TIMEOUT is what it was. Closing the
     * returned socket closes {@code raw}.
     *
     * @throws IOException a handshake that failed (untrusted chain, wrong host name) or timed out
     *                     ({@link SocketTimeoutException}, also when no time was left)
     */
    public SSLSocket handshake(Socket raw, String host, int port, Duration timeout, List<String> alpn)
            throws IOException {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new SocketTimeoutException("no time left for the TLS handshake");
        }
        String peer = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, peer, port, true);
        // 0 while shaking hands, then DONE (by this thread) or CUT (by the timer, which then closes raw)
        AtomicInteger state = new AtomicInteger();
        ScheduledFuture<?> cut = null;
        try {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setServerNames(ipLiteral(peer) ? List.of() : List.of(new SNIHostName(peer)));
            parameters.setApplicationProtocols(alpn.toArray(String[]::new));
            socket.setSSLParameters(parameters);
            int before = raw.getSoTimeout();
            raw.setSoTimeout(millis(timeout));
            // SO_TIMEOUT bounds each read, not the handshake, which takes several
            cut = HANDSHAKE_TIMEOUTS.schedule(() -> {
                if (state.compareAndSet(0, CUT)) {
                    closeQuietly(raw);
                }
            }, timeout.toNanos(), TimeUnit.NANOSECONDS);
            socket.startHandshake();
            if (!state.compareAndSet(0, DONE)) {
                throw handshakeTimedOut(timeout, null);
            }
            cut.cancel(false);
            raw.setSoTimeout(before);
            return socket;
        } catch (IOException | RuntimeException e) {
            if (cut != null) {
                cut.cancel(false);
            }
            socket.close();
            if (state.compareAndSet(0, DONE) || state.get() == DONE || e instanceof SocketTimeoutException) {
                throw e;
            }
            throw handshakeTimedOut(timeout, e);   // the timer closed the socket: a timeout, not "socket closed"
        }
    }

    private static SocketTimeoutException handshakeTimedOut(Duration timeout, Throwable cause) {
        SocketTimeoutException e = new SocketTimeoutException("TLS handshake not done in " + timeout.toMillis()
                + " ms");
        e.initCause(cause);
        return e;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // the handshake fails on it either way
        }
    }

    /** An IPv4 or IPv6 literal (SNI must not carry one; verification then matches IP address SANs). */
    static boolean ipLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return true;
        }
        if (host.isEmpty()) {
            return false;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if ((c < '0' || c > '9') && c != '.') {
                return false;
            }
        }
        return true;
    }

    private static int millis(Duration timeout) {
        long millis = timeout.toMillis();
        return millis <= 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, millis);
    }
}
