package io.tollgate.gateway.tls;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTPS listener's certificate: read at start (a bad pair stops the node from starting, naming the file),
 * then re-read whenever the content of either file changes. One background thread polls both files every
 * {@link TlsSettings#reloadInterval()} and compares their SHA-256 (content, not mtime: a copy that keeps the mtime
 * still counts). A changed pair that parses and matches is swapped into the running listener through
 * {@link WebServer#reloadTls(String, Tls)}: new handshakes get it, established connections keep theirs. A broken
 * pair is rejected and logged once, and the old one keeps serving; the next change is tried again.
 *
 * <p>A pair replaced one file at a time can be seen half-way (new cert, old key): that is rejected like any
 * mismatch and the pair is picked up at the next poll once both files are in place.
 */
public final class TlsListener implements AutoCloseable {
    /** The Helidon socket name of the HTTPS listener. */
    public static final String SOCKET = "https";
    private static final System.Logger LOG = System.getLogger(TlsListener.class.getName());

    private final TlsSettings settings;
    private final Tls tls;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile ServingCertificate serving;
    private volatile String lastError;
    /** The content last looked at, served or rejected: only a change from it is tried. */
    private byte[] seen;
    private WebServer server;
    private Thread watcher;
    private volatile boolean closed;

    private TlsListener(TlsSettings settings, ServingCertificate first, byte[] digest) {
        this.settings = settings;
        this.serving = first;
        this.seen = digest;
        this.tls = tls(first);
    }

    /** Reads and checks the configured pair; throws IllegalArgumentException naming the file when it is unusable. */
    public static TlsListener open(TlsSettings settings) {
        byte[] cert = read(settings.certFile(), "TOLLGATE_TLS_CERT");
        byte[] key = read(settings.keyFile(), "TOLLGATE_TLS_KEY");
        ServingCertificate first = ServingCertificate.parse(settings.certFile(), cert, settings.keyFile(), key);
        return new TlsListener(settings, first, digest(cert, key));
    }

    public TlsSettings settings() {
        return settings;
    }

    /** The TLS of the listener socket; the same instance is reloaded in place later. */
    public Tls tls() {
        return tls;
    }

    /** Starts watching the files; {@code server} must have the {@link #SOCKET} socket with {@link #tls()}. */
    public synchronized void watch(WebServer server) {
        this.server = server;
        LOG.log(System.Logger.Level.INFO, "HTTPS listener on port " + server.port(SOCKET) + " serving certificate "
                + describe(serving));
        watcher = Thread.ofPlatform().daemon().name("tollgate-tls-watcher").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(settings.reloadInterval());
                } catch (InterruptedException e) {
                    return;
                }
                check();
            }
        });
    }

    /** One poll: reload if either file's content changed since it was last looked at. */
    synchronized void check() {
        if (closed) {
            return;
        }
        byte[] cert;
        byte[] key;
        try {
            cert = Files.readAllBytes(settings.certFile());
            key = Files.readAllBytes(settings.keyFile());
        } catch (IOException e) {
            reject(new byte[0], "cannot read " + settings.certFile() + " or " + settings.keyFile() + ": " + e);
            return;
        }
        byte[] digest = digest(cert, key);
        if (Arrays.equals(digest, seen)) {
            return;
        }
        ServingCertificate next;
        try {
            next = ServingCertificate.parse(settings.certFile(), cert, settings.keyFile(), key);
            server.reloadTls(SOCKET, tls(next));
        } catch (RuntimeException e) {
            reject(digest, e.getMessage());
            return;
        }
        seen = digest;
        serving = next;
        lastError = null;
        applied.incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "HTTPS certificate reloaded: now serving " + describe(next));
    }

    private void reject(byte[] digest, String why) {
        if (Arrays.equals(digest, seen)) {
            return; // already said so for this content
        }
        seen = digest;
        lastError = why;
        rejected.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, "HTTPS certificate change rejected, still serving " + describe(serving)
                + ": " + why);
    }

    /** Prometheus lines: the served certificate's notAfter and the reload outcomes. */
    public String renderMetrics() {
        return "# HELP tollgate_tls_cert_not_after_seconds When the certificate served on the HTTPS listener expires "
                + "(Unix time).\n"
                + "# TYPE tollgate_tls_cert_not_after_seconds gauge\n"
                + "tollgate_tls_cert_not_after_seconds " + serving.notAfter().getEpochSecond() + "\n"
                + "# HELP tollgate_tls_reloads_total Changed certificate files seen, by outcome.\n"
                + "# TYPE tollgate_tls_reloads_total counter\n"
                + "tollgate_tls_reloads_total{result=\"applied\"} " + applied.get() + "\n"
                + "tollgate_tls_reloads_total{result=\"rejected\"} " + rejected.get() + "\n";
    }

    /** Adds a {@code tls} object to the readiness body: what is served and why the last change was refused. */
    public void describe(ObjectNode body) {
        ServingCertificate current = serving;
        ObjectNode node = body.putObject("tls")
                .put("cert_serial", current.serialHex())
                .put("cert_subject", current.leaf().getSubjectX500Principal().getName())
                .put("cert_not_after", current.notAfter().toString())
                .put("reloads_applied", applied.get())
                .put("reloads_rejected", rejected.get());
        node.put("last_rejection", lastError);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.interrupt();
        }
    }

    private static String describe(ServingCertificate c) {
        return "serial " + c.serialHex() + " (" + c.leaf().getSubjectX500Principal().getName() + ", valid until "
                + c.notAfter() + ")";
    }

    private static Tls tls(ServingCertificate pair) {
        return Tls.builder()
                .privateKey(pair.key())
                .privateKeyCertChain(pair.chain())
                .build();
    }

    private static byte[] read(Path file, String setting) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + ")", e);
        }
    }

    private static byte[] digest(byte[] cert, byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(cert);
            sha.update((byte) 0);
            sha.update(key);
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
