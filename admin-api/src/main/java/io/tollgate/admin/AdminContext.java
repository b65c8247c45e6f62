package io.tollgate.admin;

import io.tollgate.admin.auth.Authenticator;
import io.tollgate.admin.auth.PasswordHasher;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.auth.TokenSigner;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Api;
import io.tollgate.common.privacy.ClientIps;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.Database;
import io.helidon.webserver.http.ServerRequest;

import java.time.Clock;

/** What the admin's resources and domain services share, built once per process. */
public record AdminContext(Settings settings, Database db, ChangeWriter writer, Authenticator authenticator,
                           PasswordHasher passwords, TokenSigner signer, ClientIps clientIps, Clock clock) {

    public static AdminContext create(Settings settings, Database db, Clock clock) {
        String secret = settings.jwtSecret().orElseThrow(() -> new IllegalStateException(
                "TOLLGATE_JWT_SECRET is not set: give the admin a random secret of at least 32 bytes"));
        TokenSigner signer = new TokenSigner(secret, clock);
        return new AdminContext(settings, db, new ChangeWriter(db), new Authenticator(db, signer),
                new PasswordHasher(settings.passwordIterations()), signer,
                ClientIps.create(settings.clientIpMode(), settings.clientIpKey().orElse(null)), clock);
    }

    /** The authenticated caller of a request (401 when there is none). */
    public Caller caller(ServerRequest req) {
        Principal principal = authenticator.require(req);
        return new Caller(principal, Api.requestId(req), clientIps.apply(Api.clientIp(req)));
    }

    public Caller anonymous(ServerRequest req) {
        return new Caller(null, Api.requestId(req), clientIps.apply(Api.clientIp(req)));
    }
}
