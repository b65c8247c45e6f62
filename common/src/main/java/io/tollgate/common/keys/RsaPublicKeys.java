package io.tollgate.common.keys;

import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads an RSA public key from PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo), as both the
 * admin API (to validate what it stores) and the gateway (to verify RS256 tokens) need it.
 */
public final class RsaPublicKeys {
    /** RS256 with a shorter modulus is refused (RFC 7518 section 3.3). */
    public static final int MIN_BITS = 2048;
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";

    private RsaPublicKeys() {
    }

    /** The key, or IllegalArgumentException saying (without quoting the input) what is wrong. */
    public static RSAPublicKey fromPem(String pem) {
        String text = pem == null ? "" : pem.trim();
        if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
            throw new IllegalArgumentException("must be a PEM public key (-----BEGIN PUBLIC KEY----- ...)");
        }
        String base64 = text.substring(BEGIN.length(), text.length() - END.length()).replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
            if (key.getModulus().bitLength() < MIN_BITS) {
                throw new IllegalArgumentException("must be an RSA key of at least " + MIN_BITS + " bits");
            }
            return key;
        } catch (IllegalArgumentException | InvalidKeySpecException | ClassCastException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("must be")) {
                throw iae;
            }
            throw new IllegalArgumentException("must be a PEM RSA public key");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is part of every JDK", e);
        }
    }
}
