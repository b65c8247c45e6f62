package io.tollgate.gateway.snapshot;

import io.jsonwebtoken.JwtParser;

/**
 * A tenant's compiled JWT settings: the algorithm tokens must be signed with and a thread-safe JJWT parser that
 * already checks the signature key, {@code iss}, {@code aud} and exp/nbf with the configured clock skew. A null
 * {@code parser} means the stored settings could not be compiled: the tenant's jwt routes refuse every token.
 */
public record JwtSpec(String algorithm, JwtParser parser) {
}
