package io.tollgate.gateway.tls;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key, read from PEM and checked to belong together (the key signs, the
 * leaf's public key verifies). Errors name the file and what is wrong with it, never the key's content.
 */
record ServingCertificate(List<X509Certificate> chain, PrivateKey key) {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    ServingCertificate {
        chain = List.copyOf(chain);
    }

    X509Certificate leaf() {
        return chain.getFirst();
    }

    Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    String serialHex() {
        return leaf().getSerialNumber().toString(16);
    }

    static ServingCertificate parse(Path certFile, byte[] certPem, Path keyFile, byte[] keyPem) {
        List<X509Certificate> chain = chain(certFile, certPem);
        PrivateKey key = key(keyFile, keyPem);
        if (!belongTogether(key, chain.getFirst())) {
            throw new IllegalArgumentException("the private key in " + keyFile + " does not match the certificate in "
                    + certFile);
        }
        return new ServingCertificate(chain, key);
    }

    private static List<X509Certificate> chain(Path file, byte[] pem) {
        try {
            List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no PEM certificate");
            }
            return chain;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " is not a readable PEM certificate chain (" + e.getMessage()
                    + ")", e);
        }
    }

    private static PrivateKey key(Path file, byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted; the key must be unencrypted"
                    : text.contains("RSA PRIVATE KEY") || text.contains("EC PRIVATE KEY")
                    ? "it is PKCS#1/SEC1; convert it with 'openssl pkcs8 -topk8 -nocrypt'"
                    : "no 'BEGIN PRIVATE KEY' block";
            throw new IllegalArgumentException(file + " is not a PEM PKCS#8 private key: " + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " holds a private key block that is not valid base64");
        }
        // The PKCS#8 structure names its algorithm; trying the supported factories in turn is simpler than
        // decoding that OID ourselves, and each one rejects a key of another kind.
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // not this kind
            }
        }
        throw new IllegalArgumentException(file + " holds a private key that is not RSA, EC or Ed25519 (or is damaged)");
    }

    private static boolean belongTogether(PrivateKey key, X509Certificate leaf) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            // a public key of another kind is refused here (InvalidKeyException): not a pair either
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
