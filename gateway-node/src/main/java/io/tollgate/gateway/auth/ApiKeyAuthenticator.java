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
    private static final MessageDigest SHA256;
    private static final ThreadLocal<MessageDigest> THREAD_DIGESTS =
            ThreadLocal.withInitial(ApiKeyAuthenticator::newDigest);

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

    /** The key a presented credential names, and whether its secret matched. */
    private record Claim(KeySpec key, boolean verified) {
    }

    /**
     * Finds the key by public id and checks the secret. The public id ends at an underscore; because a secret
     * may itself contain underscores (and a public id might), each split is tried in order — a hash probe each.
     */
    private static Claim claim(Map<String, KeySpec> keys, String presented) {
        if (!presented.startsWith(PREFIX)) {
            return null;
        }
        int start = PREFIX.length();
        for (int split = presented.indexOf('_', start); split > start; split = presented.indexOf('_', split + 1)) {
            KeySpec key = keys.get(presented.substring(start, split));
            if (key != null) {
                byte[] digest = sha256(presented.substring(split + 1));
                return new Claim(key, MessageDigest.isEqual(digest, key.secretSha256()));
            }
        }
        return null;
    }

    /**
     * The SHA-256 of {@code secret} as UTF-8 bytes, compared as bytes with the digest the snapshot decoded from the
     * stored hex (no hex text per request). A platform thread (an event loop) keeps one digest for all its
     * requests; a virtual thread serves one request, so it takes a clone of one prototype (cheaper than a provider
     * lookup).
     */
    static byte[] sha256(String secret) {
        MessageDigest digest = Thread.currentThread().isVirtual() ? newDigest() : THREAD_DIGESTS.get();
        // digest(byte[]) leaves the digest reset, ready for the thread's next request
        return digest.digest(secret.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest newDigest() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests of this JVM cannot be cloned", e);
        }
    }

    private static Response unauthenticated(String detail) {
        return Response.problem(Problem.of(ProblemType.UNAUTHENTICATED, detail).withHeader("WWW-Authenticate", CHALLENGE));
    }
}
