package io.tollgate.admin.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A new API key: {@code tg_<public id>_<secret>}. The public id (12 base32 characters) finds the key; the secret
 * (256 random bits, 52 base32 characters) proves it and is kept only as SHA-256. A plain digest is right here,
 * unlike for passwords: the secret is random, so there is nothing to guess.
 */
public record KeyMaterial(String publicId, String secret) {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public static KeyMaterial generate() {
        return new KeyMaterial(random(12), random(52));
    }

    public String fullKey() {
        return "tg_" + publicId + "_" + secret;
    }

    public String secretSha256() {
        return sha256Hex(secret);
    }

    public static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String random(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }

    @Override
    public String toString() {
        return "KeyMaterial[publicId=" + publicId + ", secret=<redacted>]";
    }
}
