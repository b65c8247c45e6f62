package io.tollgate.common.privacy;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/**
 * How client IP addresses are kept in audit events and access logs (TOLLGATE_CLIENT_IP_MODE): as they are,
 * truncated (IPv4 to /24, IPv6 to /48), or pseudonymized with a keyed hash (HMAC-SHA256 with
 * TOLLGATE_CLIENT_IP_KEY), which still lets one address be followed without revealing it.
 */
public final class ClientIps {
    public enum Mode { FULL, TRUNCATE, PSEUDONYMIZE }

    private static final java.util.regex.Pattern LITERAL =
            java.util.regex.Pattern.compile("[0-9.]{7,15}|[0-9A-Fa-f:.]{2,45}");
    private final Mode mode;
    private final byte[] key;

    private ClientIps(Mode mode, byte[] key) {
        this.mode = mode;
        this.key = key;
    }

    public static ClientIps create(String mode, String key) {
        Mode m = switch (mode == null ? "full" : mode.toLowerCase()) {
            case "full" -> Mode.FULL;
            case "truncate" -> Mode.TRUNCATE;
            case "pseudonymize", "pseudonymise", "hash" -> Mode.PSEUDONYMIZE;
            default -> throw new IllegalArgumentException(
                    "TOLLGATE_CLIENT_IP_MODE must be full, truncate or pseudonymize, got '" + mode + "'");
        };
        if (m == Mode.PSEUDONYMIZE && (key == null || key.length() < 16)) {
            throw new IllegalArgumentException(
                    "TOLLGATE_CLIENT_IP_MODE=pseudonymize needs TOLLGATE_CLIENT_IP_KEY of at least 16 characters");
        }
        return new ClientIps(m, key == null ? null : key.getBytes(StandardCharsets.UTF_8));
    }

    public Mode mode() {
        return mode;
    }

    public String apply(String ip) {
        if (ip == null || mode == Mode.FULL) {
            return ip;
        }
        if (mode == Mode.PSEUDONYMIZE) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return "ip-" + HexFormat.of().formatHex(mac.doFinal(ip.getBytes(StandardCharsets.UTF_8)), 0, 12);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
            }
        }
        // Only literals reach getByName, so it never resolves a name.
        if (!LITERAL.matcher(ip).matches()) {
            return "invalid";
        }
        try {
            byte[] bytes = InetAddress.getByName(ip).getAddress();
            int keep = bytes.length == 4 ? 3 : 6;
            for (int i = keep; i < bytes.length; i++) {
                bytes[i] = 0;
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (IllegalArgumentException | UnknownHostException e) {
            return "invalid";
        }
    }
}
