package io.tollgate.db.model;

import java.time.OffsetDateTime;
import java.util.UUID;

/** {@code jwt} is null when the tenant has no JWT settings (its jwt routes then refuse every request). */
public record Tenant(UUID id, String slug, String name, String status, Plan plan, Jwt jwt, int rowVersion,
                     OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** A tenant's limits: a rate with burst, and a quota per day or month (null quota: unlimited). */
    public record Plan(int ratePerSecond, int burst, Long quota, String quotaPeriod) {
    }

    /**
     * How the gateway checks tokens on the tenant's jwt routes: {@code iss} and {@code aud} must match, the
     * signature must verify with exactly one of an HS256 secret or an RS256 public key (PEM), and exp/nbf are
     * checked with {@code clockSkewSeconds} of tolerance. {@link #toString()} never shows the secret.
     */
    public record Jwt(String issuer, String audience, String hs256Secret, String rs256PublicKeyPem,
                      int clockSkewSeconds) {
        public static final String HS256 = "HS256";
        public static final String RS256 = "RS256";

        public String algorithm() {
            return hs256Secret != null ? HS256 : RS256;
        }

        @Override
        public String toString() {
            return "Jwt[issuer=" + issuer + ", audience=" + audience + ", algorithm=" + algorithm()
                    + ", clockSkewSeconds=" + clockSkewSeconds + "]";
        }
    }

    public boolean active() {
        return "active".equals(status);
    }
}
