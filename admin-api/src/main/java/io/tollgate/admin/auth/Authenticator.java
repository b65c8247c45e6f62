package io.tollgate.admin.auth;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.model.AdminUser;
import io.tollgate.db.model.ApiToken;
import io.tollgate.db.store.TokenStore;
import io.tollgate.db.store.UserStore;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * Turns {@code Authorization: Bearer <jwt>} into a {@link Principal}. Roles are read from the database on every
 * request, so a revoked token or a removed grant stops working at once.
 */
public final class Authenticator {
    private final Database db;
    private final TokenSigner signer;

    public Authenticator(Database db, TokenSigner signer) {
        this.db = db;
        this.signer = signer;
    }

    public Principal require(ServerRequest req) {
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthenticated("send a bearer token: Authorization: Bearer <token> (POST /api/v1/auth/token)");
        }
        return resolve(header.substring(7).strip())
                .orElseThrow(() -> unauthenticated("the bearer token is not valid, expired or revoked"));
    }

    public Optional<Principal> resolve(String token) {
        Optional<TokenSigner.Verified> verified = signer.verify(token);
        if (verified.isEmpty()) {
            return Optional.empty();
        }
        TokenSigner.Verified v = verified.get();
        var dsl = db.dsl();
        if (v.kind() == Principal.Kind.USER) {
            UserStore users = new UserStore(dsl);
            Optional<AdminUser> user = users.byId(v.subject()).filter(u -> !u.disabled());
            return user.map(u -> new Principal(Principal.Kind.USER, u.id(), u.email(),
                    users.grantsOf(u.id()).stream().map(g -> new Principal.Grant(g.role(), g.tenantId())).toList()));
        }
        Optional<ApiToken> row = new TokenStore(dsl).byId(v.tokenId())
                .filter(t -> t.revokedAt() == null && t.expiresAt().isAfter(OffsetDateTime.now()));
        return row.map(t -> new Principal(Principal.Kind.TOKEN, t.id(), t.name(),
                List.of(new Principal.Grant(t.role(), t.tenantId()))));
    }

    static RuntimeException unauthenticated(String detail) {
        return new Problem(ProblemType.UNAUTHENTICATED, detail, null, List.of(),
                java.util.Map.of("WWW-Authenticate", "Bearer realm=\"tollgate-admin\"")).toException();
    }
}
