package io.tollgate.admin.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;

import javax.crypto.SecretKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;

/** Signs and checks the admin API's HS256 bearer tokens with TOLLGATE_JWT_SECRET. */
public final class TokenSigner {
    static final String ISSUER = "tollgate-admin";
    static final String KIND_CLAIM = "kind";

    private final SecretKey key;
    private final Clock clock;

    public TokenSigner(String secret, Clock clock) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < 32) {
            throw new IllegalArgumentException("TOLLGATE_JWT_SECRET must be at least 32 bytes");
        }
        this.key = Keys.hmacShaKeyFor(bytes);
        this.clock = clock;
    }

    /** What a verified token says. */
    public record Verified(Principal.Kind kind, UUID subject, UUID tokenId) {
    }

    public String sign(Principal.Kind kind, UUID subject, UUID tokenId, Instant expiresAt) {
        return Jwts.builder()
                .issuer(ISSUER)
                .subject(subject.toString())
                .id(tokenId.toString())
                .claim(KIND_CLAIM, kind.name().toLowerCase())
                .issuedAt(Date.from(clock.instant()))
                .expiration(Date.from(expiresAt))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
    }

    /** Empty when the token is malformed, forged, expired or not ours. */
    public Optional<Verified> verify(String token) {
        try {
            Claims claims = Jwts.parser()
                    .verifyWith(key)
                    .requireIssuer(ISSUER)
                    .clock(() -> Date.from(clock.instant()))
                    .build()
                    .parseSignedClaims(token)
                    .getPayload();
            Principal.Kind kind = Principal.Kind.valueOf(claims.get(KIND_CLAIM, String.class).toUpperCase());
            return Optional.of(new Verified(kind, UUID.fromString(claims.getSubject()), UUID.fromString(claims.getId())));
        } catch (JwtException | IllegalArgumentException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
