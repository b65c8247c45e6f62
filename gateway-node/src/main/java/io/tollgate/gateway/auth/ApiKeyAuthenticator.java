package io.tollgate.gateway.auth;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.KeySpec;
import io.tollgate.gateway.snapshot.RouteSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Map;

/**
 * Authenticates {@code api-key} routes. The key comes from {@code X-API-Key} or {@code Authorization: Bearer};
 * missing, unknown, wrong, revoked or expired gives 401 with {@code WWW-Authenticate}; a good key of another
 * tenant, or one limited to other routes, gives 403. {@code jwt} routes are left to {@link JwtAuthenticator}.
 */
public final class ApiKeyAuthenticator implements Filter {
    static final String API_KEY_HEADER = "X-API-Key";
    static final String AUTHORIZATION = "Authorization";
    static final String CHALLENGE = "Bearer realm=\"tollgate\"";
    private static final String PREFIX = "tg_";
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final MessageDigest SHA256;

    static {
        try {
            SHA256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Clock clock;

    public ApiKeyAuthenticator(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        RouteSpec route = exchange.route();
        if (RouteSpec.AUTH_NONE.equals(route.auth())) {
            return chain.proceed(exchange);
        }
        if (!RouteSpec.AUTH_API_KEY.equals(route.auth())) {
            // jwt routes are JwtAuthenticator's, next in the pipeline
            return chain.proceed(exchange);
        }
        String header = API_KEY_HEADER;
        String presented = exchange.requestHeaders().first(API_KEY_HEADER);
        if (presented == null) {
            presented = bearer(exchange.requestHeaders().first(AUTHORIZATION));
            header = AUTHORIZATION;
        }
        if (presented == null || presented.isBlank()) {
            return unauthenticated("An API key is required");
        }
        Claim claim = claim(exchange.snapshot().keysByPublicId(), presented.trim());
        if (claim == null) {
            return unauthenticated("The API key is not valid");
        }
        exchange.claimedKey(claim.key());
        KeySpec key = claim.verified() ? claim.key() : null;
        if (key == null) {
            return unauthenticated("The API key is not valid");
        }
        if (!key.usableAt(clock.instant())) {
            return unauthenticated("The API key has expired or was revoked");
        }
        if (!key.tenantId().equals(route.tenantId()) || !key.allows(route.id())) {
            return Response.problem(Problem.of(ProblemType.FORBIDDEN, "The API key is not allowed on this route"));
        }
        exchange.key(key);
        // The upstream never sees the gateway credential, unless the route asks for it.
        if (!route.passCredential()) {
            exchange.requestHeaders().remove(header);
        }
        return chain.proceed(exchange);
    }

    private static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 7
                || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7);
    }

    /**
     * Finds the key by public id and checks the secret. The public id ends at an underscore; because a secret
     * may itself contain underscores (and a public id might), each split is tried in order — a hash probe each.
     */
    /** The key a presented credential names, and whether its secret matched. */
    private record Claim(KeySpec key, boolean verified) {
    }

    private static Claim claim(Map<String, KeySpec> keys, String presented) {
        if (!presented.startsWith(PREFIX)) {
            return null;
        }
        String rest = presented.substring(PREFIX.length());
        for (int split = rest.indexOf('_'); split > 0; split = rest.indexOf('_', split + 1)) {
            KeySpec key = keys.get(rest.substring(0, split));
            if (key != null) {
                byte[] digest = sha256Hex(rest.substring(split + 1));
                return new Claim(key, MessageDigest.isEqual(digest, key.secretSha256Hex()));
            }
        }
        return null;
    }

    /**
     * The lower-case hex SHA-256 of {@code secret} as ASCII bytes, the form the store keeps. The digest comes from
     * a clone of one prototype (cheaper than a provider lookup per request) and is hex-encoded in place.
     */
    static byte[] sha256Hex(String secret) {
        byte[] hash;
        try {
            hash = ((MessageDigest) SHA256.clone()).digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests of this JVM cannot be cloned", e);
        }
        byte[] hex = new byte[hash.length * 2];
        for (int i = 0; i < hash.length; i++) {
            hex[2 * i] = HEX_DIGITS[(hash[i] >> 4) & 0xf];
            hex[2 * i + 1] = HEX_DIGITS[hash[i] & 0xf];
        }
        return hex;
    }

    private static Response unauthenticated(String detail) {
        return Response.problem(Problem.of(ProblemType.UNAUTHENTICATED, detail).withHeader("WWW-Authenticate", CHALLENGE));
    }
}
