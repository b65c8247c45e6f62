package io.tollgate.gateway.auth;

import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jws;
import io.jsonwebtoken.JwtException;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.snapshot.JwtSpec;
import io.tollgate.gateway.snapshot.RouteSpec;

/**
 * Authenticates {@code jwt} routes: a token from {@code Authorization: Bearer}, checked with JJWT against the
 * route's tenant settings — signature with the configured key and exactly the configured algorithm (HS256 or
 * RS256; unsigned tokens are refused), {@code iss}, {@code aud}, {@code exp} (required) and {@code nbf} with the
 * configured clock skew. Any failure, or a tenant without JWT settings, is 401 with {@code WWW-Authenticate:
 * Bearer}; the detail never says more than that the token is missing or not valid. The token is removed before
 * forwarding unless the route passes the credential on.
 */
public final class JwtAuthenticator implements Filter {
    static final String INVALID_TOKEN_CHALLENGE = ApiKeyAuthenticator.CHALLENGE + ", error=\"invalid_token\"";

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        RouteSpec route = exchange.route();
        if (!RouteSpec.AUTH_JWT.equals(route.auth())) {
            return chain.proceed(exchange);
        }
        String token = bearer(exchange.requestHeaders().first(ApiKeyAuthenticator.AUTHORIZATION));
        if (token == null || token.isBlank()) {
            return unauthenticated("A bearer token is required", ApiKeyAuthenticator.CHALLENGE);
        }
        JwtSpec jwt = exchange.tenant() == null ? null : exchange.tenant().jwt();
        if (jwt == null || jwt.parser() == null) {
            return unauthenticated("The bearer token is not valid", INVALID_TOKEN_CHALLENGE);
        }
        try {
            Jws<Claims> jws = jwt.parser().parseSignedClaims(token.trim());
            if (!jwt.algorithm().equals(jws.getHeader().getAlgorithm()) || jws.getPayload().getExpiration() == null) {
                return unauthenticated("The bearer token is not valid", INVALID_TOKEN_CHALLENGE);
            }
            exchange.jwtSubject(jws.getPayload().getSubject());
        } catch (JwtException | IllegalArgumentException e) {
            return unauthenticated("The bearer token is not valid", INVALID_TOKEN_CHALLENGE);
        }
        if (!route.passCredential()) {
            exchange.requestHeaders().remove(ApiKeyAuthenticator.AUTHORIZATION);
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

    private static Response unauthenticated(String detail, String challenge) {
        return Response.problem(Problem.of(ProblemType.UNAUTHENTICATED, detail).withHeader("WWW-Authenticate", challenge));
    }
}
