package io.tollgate.console.web;

import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.auth.Principal;
import io.tollgate.db.Database;
import io.tollgate.db.model.AdminUser;
import io.tollgate.db.model.ConsoleSession;
import io.tollgate.db.store.ConsoleSessionStore;
import io.tollgate.db.store.UserStore;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

/**
 * Console sign-in sessions. The cookie carries a random secret; the database keeps only its SHA-256, so signing
 * out (or disabling the user) ends the session at once. The CSRF token of a session is derived from the secret,
 * so it needs no storage and cannot be computed without the cookie. Before sign-in, a "pre-session" cookie plays
 * the same role for the sign-in form itself (login CSRF).
 *
 * <p>Roles are read from the database on every request, like the REST API's bearer tokens.
 */
public final class Sessions {
    static final String SESSION_COOKIE = "tg_session";
    static final String PRE_SESSION_COOKIE = "tg_presession";
    static final Duration LIFETIME = Duration.ofHours(8);
    static final Duration IDLE = Duration.ofMinutes(30);
    private static final Duration TOUCH_EVERY = Duration.ofMinutes(1);

    /** A live session: who it belongs to and the secret from the cookie (never logged or rendered). */
    public record SignedIn(Principal principal, String secret) {
        @Override
        public String toString() {
            return "SignedIn[" + principal.name() + ", secret=<redacted>]";
        }
    }

    private final Database db;
    private final Clock clock;

    public Sessions(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    Optional<SignedIn> resolve(ServerRequest req) {
        Optional<String> secret = cookie(req, SESSION_COOKIE);
        if (secret.isEmpty()) {
            return Optional.empty();
        }
        OffsetDateTime now = OffsetDateTime.now(clock);
        String id = Secrets.sha256Hex(secret.get());
        ConsoleSessionStore store = new ConsoleSessionStore(db.dsl());
        Optional<ConsoleSession> session = store.live(id, now)
                .filter(s -> s.lastSeenAt().isAfter(now.minus(IDLE)));
        if (session.isEmpty()) {
            return Optional.empty();
        }
        UserStore users = new UserStore(db.dsl());
        Optional<AdminUser> user = users.byId(session.get().userId()).filter(u -> !u.disabled());
        if (user.isEmpty()) {
            store.delete(id);
            return Optional.empty();
        }
        if (session.get().lastSeenAt().isBefore(now.minus(TOUCH_EVERY))) {
            store.touch(id, now);
        }
        AdminUser u = user.get();
        Principal principal = new Principal(Principal.Kind.USER, u.id(), u.email(),
                users.grantsOf(u.id()).stream().map(g -> new Principal.Grant(g.role(), g.tenantId())).toList());
        return Optional.of(new SignedIn(principal, secret.get()));
    }

    public boolean isSignedIn(ServerRequest req) {
        return resolve(req).isPresent();
    }

    /** Starts a session for the user and sets its cookie; sessions long dead are swept on the way. */
    public void open(ServerRequest req, ServerResponse res, UUID userId) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        String secret = Secrets.random();
        ConsoleSessionStore store = new ConsoleSessionStore(db.dsl());
        store.deleteDead(now, now.minus(IDLE));
        store.insert(new ConsoleSession(Secrets.sha256Hex(secret), userId, now, now, now.plus(LIFETIME)));
        res.headers().addCookie(cookie(req, SESSION_COOKIE, secret, LIFETIME));
        res.headers().addCookie(cookie(req, PRE_SESSION_COOKIE, "", Duration.ZERO));
    }

    public void close(ServerRequest req, ServerResponse res, SignedIn signedIn) {
        new ConsoleSessionStore(db.dsl()).delete(Secrets.sha256Hex(signedIn.secret()));
        res.headers().addCookie(cookie(req, SESSION_COOKIE, "", Duration.ZERO));
    }

    static String csrfOf(SignedIn signedIn) {
        return Secrets.sha256Hex("csrf|" + signedIn.secret());
    }

    /** The sign-in form's CSRF token, creating the pre-session cookie when the browser has none yet. */
    static String preSessionCsrf(ServerRequest req, ServerResponse res) {
        String secret = cookie(req, PRE_SESSION_COOKIE).orElse(null);
        if (secret == null || secret.length() < 40) {
            secret = Secrets.random();
            res.headers().addCookie(cookie(req, PRE_SESSION_COOKIE, secret, Duration.ofHours(2)));
        }
        return Secrets.sha256Hex("sign-in|" + secret);
    }

    /** The sign-in CSRF token the browser's pre-session cookie entitles it to, if it has one. */
    static Optional<String> expectedPreSessionCsrf(ServerRequest req) {
        return cookie(req, PRE_SESSION_COOKIE).filter(s -> s.length() >= 40)
                .map(s -> Secrets.sha256Hex("sign-in|" + s));
    }

    /** TLS to us, or a proxy in front saying the browser used https. */
    static boolean secure(ServerRequest req) {
        return req.isSecure() || req.headers().first(HeaderNames.X_FORWARDED_PROTO)
                .map(p -> p.strip().equalsIgnoreCase("https")).orElse(false);
    }

    private static SetCookie cookie(ServerRequest req, String name, String value, Duration maxAge) {
        return SetCookie.builder(name, value)
                .path("/")
                .httpOnly(true)
                .sameSite(SetCookie.SameSite.STRICT)
                .secure(secure(req))
                .maxAge(maxAge)
                .build();
    }

    private static Optional<String> cookie(ServerRequest req, String name) {
        var cookies = req.headers().cookies();
        return cookies.contains(name) ? Optional.of(cookies.get(name)).filter(v -> !v.isEmpty()) : Optional.empty();
    }
}
