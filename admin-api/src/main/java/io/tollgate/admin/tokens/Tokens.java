package io.tollgate.admin.tokens;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Ids;
import io.tollgate.db.model.AdminUser;
import io.tollgate.db.model.ApiToken;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.TenantStore;
import io.tollgate.db.store.TokenStore;
import io.tollgate.db.store.UserStore;
import org.jooq.DSLContext;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Sign-in (user access tokens) and operator automation tokens. */
public final class Tokens {
    private static final Set<String> SIGN_IN_FIELDS = Set.of("email", "password");
    private static final Set<String> TOKEN_FIELDS = Set.of("name", "role", "tenant", "expires_in");
    private static final long MAX_TOKEN_SECONDS = 366L * 24 * 3600;

    /** A signed token and when it expires; the text is shown once. */
    public record Issued(String token, Instant expiresAt, ApiToken row) {
        @Override
        public String toString() {
            return "Issued[token=<redacted>, expiresAt=" + expiresAt + "]";
        }
    }

    private final AdminContext ctx;
    private final SignInThrottle throttle;

    public Tokens(AdminContext ctx) {
        this.ctx = ctx;
        this.throttle = new SignInThrottle(ctx.clock());
    }

    /** Checks email and password; failed attempts are audited and throttled. */
    public Issued signIn(Caller anonymous, ObjectNode body) {
        Input in = Input.of(body, SIGN_IN_FIELDS);
        String email = in.string("email", true, 320, null, null);
        String password = in.string("password", true, 200, null, null);
        in.validate();
        long wait = throttle.retryAfterSeconds(email, anonymous.clientIp());
        if (wait > 0) {
            throw new Problem(ProblemType.RATE_LIMITED, "too many failed sign-ins; try again later", null, List.of(),
                    Map.of("Retry-After", Long.toString(wait))).toException();
        }
        Optional<AdminUser> user = new UserStore(ctx.db().dsl()).byEmail(email);
        boolean ok;
        if (user.isEmpty()) {
            ctx.passwords().burn(password);
            ok = false;
        } else {
            ok = ctx.passwords().matches(password, user.get().passwordHash()) && !user.get().disabled();
        }
        if (!ok) {
            throttle.failed(email, anonymous.clientIp());
            ObjectNode after = Json.mapper().createObjectNode().put("email", email.toLowerCase());
            ctx.writer().record(anonymous, new Change<>(null, "auth.sign-in-failed", null, "user",
                    user.map(u -> u.id().toString()).orElse(null), null, after));
            throw new Problem(ProblemType.UNAUTHENTICATED, "the email or password is not right", null, List.of(),
                    Map.of("WWW-Authenticate", "Bearer realm=\"tollgate-admin\"")).toException();
        }
        throttle.succeeded(email, anonymous.clientIp());
        AdminUser u = user.get();
        Instant expires = ctx.clock().instant().plus(ctx.settings().accessTokenTtl());
        UUID jti = Ids.newId();
        String token = ctx.signer().sign(Principal.Kind.USER, u.id(), jti, expires);
        Caller signedIn = new Caller(new Principal(Principal.Kind.USER, u.id(), u.email(), List.of()),
                anonymous.requestId(), anonymous.clientIp());
        ObjectNode after = Json.mapper().createObjectNode().put("token_id", jti.toString())
                .put("expires_at", expires.toString());
        ctx.writer().record(signedIn, new Change<>(null, "auth.sign-in", null, "user", u.id().toString(), null, after));
        return new Issued(token, expires, null);
    }

    public Change<Issued> create(DSLContext tx, Caller caller, ObjectNode body) {
        Principal p = caller.principal();
        Input in = Input.of(body, TOKEN_FIELDS);
        String name = in.string("name", true, 200, null, null);
        String role = in.oneOf("role", true, Set.of(Principal.PLATFORM_ADMIN, Principal.TENANT_ADMIN,
                Principal.AUDITOR), null);
        String slug = in.string("tenant", false, 63, null, null);
        Long seconds = in.has("expires_in") ? in.number("expires_in", true, 60, MAX_TOKEN_SECONDS) : (Long) (30L * 24 * 3600);
        UUID tenantId = null;
        if (slug != null) {
            Optional<Tenant> tenant = new TenantStore(tx).bySlug(slug);
            if (tenant.isEmpty() || !p.administers(tenant.get().id())) {
                if (!p.isPlatformAdmin()) {
                    throw ProblemException.of(ProblemType.FORBIDDEN, "you may only issue tokens for your own tenants");
                }
                in.error("tenant", "no tenant with slug '" + slug + "'");
            } else {
                tenantId = tenant.get().id();
            }
        }
        if (Principal.PLATFORM_ADMIN.equals(role) && slug != null) {
            in.error("tenant", "platform-admin is platform-wide; leave tenant out");
        }
        if (Principal.TENANT_ADMIN.equals(role) && slug == null) {
            in.error("tenant", "tenant-admin needs a tenant");
        }
        in.validate();
        if (!p.isPlatformAdmin() && (tenantId == null || !p.administers(tenantId))) {
            throw ProblemException.of(ProblemType.FORBIDDEN,
                    "only platform admins issue platform-wide tokens; tenant admins issue tokens for their tenant");
        }
        OffsetDateTime now = OffsetDateTime.now();
        Instant expires = ctx.clock().instant().plusSeconds(seconds);
        ApiToken row = new ApiToken(Ids.newId(), name, role, tenantId, p.kind() == Principal.Kind.USER ? p.id() : null,
                OffsetDateTime.ofInstant(expires, ZoneOffset.UTC), null, now);
        new TokenStore(tx).insert(row);
        String token = ctx.signer().sign(Principal.Kind.TOKEN, row.id(), row.id(), expires);
        return new Change<>(new Issued(token, expires, row), "token.create", tenantId, "token", row.id().toString(),
                null, json(tx, row));
    }

    public List<ApiToken> page(Principal p, UUID after, int limit) {
        if (!p.isPlatformAdmin() && p.grants().stream().noneMatch(g -> Principal.TENANT_ADMIN.equals(g.role()))) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "your role does not manage tokens");
        }
        TokenStore store = new TokenStore(ctx.db().dsl());
        if (p.isPlatformAdmin()) {
            return store.page(after, limit);
        }
        return store.page(p.grants().stream().filter(g -> Principal.TENANT_ADMIN.equals(g.role()))
                .map(Principal.Grant::tenantId).collect(java.util.stream.Collectors.toSet()), after, limit);
    }

    /** One token, when the caller may manage it (403 otherwise, 404 when there is none). */
    public ApiToken get(Principal p, String id) {
        ApiToken token = find(new TokenStore(ctx.db().dsl()), id);
        if (!visible(p, token)) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "your role does not allow reading this token");
        }
        return token;
    }

    private static ApiToken find(TokenStore store, String id) {
        try {
            return store.byId(UUID.fromString(id))
                    .orElseThrow(() -> ProblemException.of(ProblemType.NOT_FOUND, "no such token"));
        } catch (IllegalArgumentException e) {
            throw ProblemException.of(ProblemType.NOT_FOUND, "no such token");
        }
    }

    public void revoke(Caller caller, String id) {
        ctx.writer().write(caller, tx -> {
            TokenStore store = new TokenStore(tx);
            ApiToken current = find(store, id);
            if (!visible(caller.principal(), current)) {
                throw ProblemException.of(ProblemType.FORBIDDEN, "your role does not allow revoking this token");
            }
            if (!store.revoke(current.id(), OffsetDateTime.now())) {
                throw ProblemException.of(ProblemType.CONFLICT, "this token is already revoked");
            }
            ApiToken revoked = store.byId(current.id()).orElseThrow();
            return new Change<>(revoked, "token.revoke", current.tenantId(), "token", current.id().toString(),
                    json(tx, current), json(tx, revoked));
        });
    }

    private static boolean visible(Principal p, ApiToken t) {
        return p.isPlatformAdmin() || (t.tenantId() != null && p.administers(t.tenantId()));
    }

    /** The JSON shape of a token: never the token text. */
    public static ObjectNode json(DSLContext dsl, ApiToken t) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", t.id().toString());
        node.put("name", t.name());
        node.put("role", t.role());
        if (t.tenantId() == null) {
            node.putNull("tenant");
        } else {
            node.put("tenant", new TenantStore(dsl).byId(t.tenantId()).map(Tenant::slug).orElse(t.tenantId().toString()));
        }
        node.put("expires_at", t.expiresAt().toInstant().toString());
        if (t.revokedAt() == null) {
            node.putNull("revoked_at");
        } else {
            node.put("revoked_at", t.revokedAt().toInstant().toString());
        }
        node.put("created_at", t.createdAt().toInstant().toString());
        return node;
    }

    static String etag(ApiToken t) {
        return Api.etag(t.revokedAt() == null ? 1 : 2);
    }
}
