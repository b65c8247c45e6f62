package io.tollgate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority made with the openssl command line, and server certificates for
 * localhost/127.0.0.1 it signs, each with the serial the test chooses (that is how tests tell certificates apart).
 * Keys are written as unencrypted PKCS#8 PEM, as the gateway expects.
 */
final class TestCertificates {
    final Path dir;
    final Path caCert;
    private final Path caKey;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
    }

    /** A pair of files: the leaf certificate followed by the CA (a chain), and its key. */
    record Pair(Path cert, Path key, BigInteger serial) {
    }

    static TestCertificates authority(Path dir) {
        TestCertificates ca = new TestCertificates(dir);
        openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", ca.caKey.toString(), "-out", ca.caCert.toString(), "-days", "2",
                "-subj", "/CN=Tollgate Test CA");
        return ca;
    }

    /** A server certificate for localhost and 127.0.0.1 with {@code serial}; {@code keyType} is "rsa" or "ec". */
    Pair issue(String name, long serial, String keyType) {
        return issue(name, serial, keyType, "DNS:localhost,IP:127.0.0.1");
    }

    /** A server certificate naming only {@code subjectAltNames} (e.g. {@code DNS:elsewhere.test}). */
    Pair issue(String name, long serial, String keyType, String subjectAltNames) {
        Path key = dir.resolve(name + ".key");
        Path csr = dir.resolve(name + ".csr");
        Path leaf = dir.resolve(name + ".leaf.pem");
        Path cert = dir.resolve(name + ".pem");
        Path ext = dir.resolve(name + ".ext");
        if (keyType.equals("rsa")) {
            openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
        } else {
            openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        }
        openssl(dir, "req", "-new", "-key", key.toString(), "-subj", "/CN=localhost", "-out", csr.toString());
        try {
            Files.writeString(ext, "subjectAltName=" + subjectAltNames + "\n");
            openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                    "-set_serial", Long.toString(serial), "-days", "1", "-extfile", ext.toString(),
                    "-out", leaf.toString());
            Files.writeString(cert, Files.readString(leaf) + Files.readString(caCert));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Pair(cert, key, BigInteger.valueOf(serial));
    }

    /** Copies {@code from} over {@code to} the way a deployment should: write aside, then rename in place. */
    static void replace(Path from, Path to) throws IOException {
        Path aside = to.resolveSibling(to.getFileName() + ".new");
        Files.copy(from, aside, StandardCopyOption.REPLACE_EXISTING);
        Files.move(aside, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A fresh client context trusting only this CA (fresh: no session to resume from an earlier handshake). */
    SSLContext clientContext() {
        try (InputStream in = Files.newInputStream(caCert)) {
            X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server context presenting {@code pair} (for upstreams that tests run over TLS). */
    static SSLContext serverContext(Pair pair) {
        try (InputStream in = Files.newInputStream(pair.cert())) {
            List<java.security.cert.Certificate> chain = new ArrayList<>(
                    CertificateFactory.getInstance("X.509").generateCertificates(in));
            String pem = Files.readString(pair.key());
            byte[] der = java.util.Base64.getMimeDecoder().decode(pem
                    .replace("-----BEGIN PRIVATE KEY-----", "").replace("-----END PRIVATE KEY-----", "")
                    .replaceAll("\\s", ""));
            java.security.PrivateKey key;
            try {
                key = java.security.KeyFactory.getInstance("EC")
                        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                key = java.security.KeyFactory.getInstance("RSA")
                        .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(der));
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, new char[0], chain.toArray(java.security.cert.Certificate[]::new));
            javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, new char[0]);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
