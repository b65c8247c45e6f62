package io.tollgate.admin.tenants;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Input;
import io.tollgate.common.keys.RsaPublicKeys;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.Ids;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.TenantStore;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/**
 * Tenant lifecycle, plans and JWT settings. Only platform admins change tenants. The JWT settings' HS256 secret is
 * write-only: views and audit events show {@code hs256_secret_set} instead.
 */
public final class Tenants {
    static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    private static final Set<String> CREATE_FIELDS = Set.of("slug", "name", "status", "plan");
    private static final Set<String> FIELDS = Set.of("slug", "name", "status", "plan", "jwt");
    private static final Set<String> JWT_FIELDS = Set.of("issuer", "audience", "hs256_secret", "rs256_public_key_pem",
            "clock_skew_seconds");
    /** HS256 needs a key as long as its hash (RFC 7518 section 3.2). */
    private static final int MIN_HS256_SECRET_BYTES = 32;
    private static final int DEFAULT_CLOCK_SKEW_SECONDS = 60;
    private static final Set<String> PLAN_FIELDS = Set.of("rate_per_second", "burst", "quota", "quota_period");
    private static final Tenant.Plan DEFAULT_PLAN = new Tenant.Plan(100, 200, null, "month");

    private final Database db;
    private final ChangeWriter writer;

    public Tenants(Database db, ChangeWriter writer) {
        this.db = db;
        this.writer = writer;
    }

    /** Validates a create request; the change itself runs in {@code tx}. */
    public Change<Tenant> create(DSLContext tx, Caller caller, ObjectNode body) {
        requirePlatformAdmin(caller.principal());
        Input in = Input.of(body, CREATE_FIELDS);
        String slug = in.string("slug", true, 63, SLUG,
                "must be 2-63 lowercase letters, digits or '-', starting with a letter or digit");
        String name = in.string("name", true, 200, null, null);
        String status = in.oneOf("status", false, Set.of("active", "suspended"), "active");
        Tenant.Plan plan = plan(in, DEFAULT_PLAN);
        in.validate();
        TenantStore store = new TenantStore(tx);
        if (store.bySlug(slug).isPresent()) {
            throw ProblemException.of(ProblemType.CONFLICT, "a tenant with slug '" + slug + "' already exists");
        }
        OffsetDateTime now = OffsetDateTime.now();
        Tenant tenant = new Tenant(Ids.newId(), slug, name, status, plan, null, 1, now, now);
        store.insert(tenant);
        return new Change<>(tenant, "tenant.create", tenant.id(), "tenant", tenant.id().toString(), null,
                TenantViews.json(tenant));
    }

    public List<Tenant> page(Principal principal, java.util.UUID after, int limit) {
        TenantStore store = new TenantStore(db.dsl());
        if (principal.readsAllTenants()) {
            return store.page(after, limit);
        }
        return store.page(principal.grants().stream().map(Principal.Grant::tenantId)
                .filter(java.util.Objects::nonNull).collect(java.util.stream.Collectors.toSet()), after, limit);
    }

    public Tenant get(Principal principal, String slug) {
        return TenantScope.forReader(db.dsl(), principal, slug);
    }

    public Tenant update(Caller caller, String slug, ObjectNode body, IntConsumer ifMatch) {
        requirePlatformAdmin(caller.principal());
        return writer.write(caller, tx -> update(tx, caller, slug, body, ifMatch));
    }

    /** The update inside a caller's transaction (a declarative apply runs it with its other changes). */
    public Change<Tenant> update(DSLContext tx, Caller caller, String slug, ObjectNode body, IntConsumer ifMatch) {
        requirePlatformAdmin(caller.principal());
        TenantStore store = new TenantStore(tx);
        Tenant current = store.bySlugForUpdate(slug).orElseThrow(() -> notFound(slug));
        ifMatch.accept(current.rowVersion());
        Input in = Input.of(body, FIELDS);
        if (in.has("slug") && !current.slug().equals(body.path("slug").asText())) {
            in.error("slug", "cannot be changed");
        }
        String name = in.has("name") ? in.string("name", true, 200, null, null) : current.name();
        String status = in.has("status")
                ? in.oneOf("status", true, Set.of("active", "suspended"), current.status()) : current.status();
        Tenant.Plan plan = plan(in, current.plan());
        Tenant.Jwt jwt = jwt(in, current.jwt());
        in.validate();
        Tenant next = new Tenant(current.id(), current.slug(), name, status, plan, jwt, current.rowVersion() + 1,
                current.createdAt(), OffsetDateTime.now());
        if (!store.update(next, current.rowVersion())) {
            throw io.tollgate.admin.http.Api.stale();
        }
        String action = !current.status().equals(status)
                ? ("suspended".equals(status) ? "tenant.suspend" : "tenant.activate") : "tenant.update";
        ObjectNode after = TenantViews.json(next);
        if (secretChanged(current.jwt(), next.jwt())) {
            // the secret itself is never recorded, but that it was replaced must be visible in the trail
            ((ObjectNode) after.get("jwt")).put("hs256_secret_changed", true);
        }
        return new Change<>(next, action, current.id(), "tenant", current.id().toString(),
                TenantViews.json(current), after);
    }

    private static boolean secretChanged(Tenant.Jwt before, Tenant.Jwt after) {
        String was = before == null ? null : before.hs256Secret();
        String now = after == null ? null : after.hs256Secret();
        return now != null && was != null && !now.equals(was);
    }

    public void delete(Caller caller, String slug, IntConsumer ifMatch) {
        requirePlatformAdmin(caller.principal());
        writer.write(caller, tx -> {
            TenantStore store = new TenantStore(tx);
            Tenant current = store.bySlugForUpdate(slug).orElseThrow(() -> notFound(slug));
            ifMatch.accept(current.rowVersion());
            if (!store.delete(current.id(), current.rowVersion())) {
                throw io.tollgate.admin.http.Api.stale();
            }
            return new Change<>(current, "tenant.delete", current.id(), "tenant", current.id().toString(),
                    TenantViews.json(current), null);
        });
    }

    /** Reads the plan object, each field defaulting to {@code base}; merge-patch semantics on update. */
    private static Tenant.Plan plan(Input in, Tenant.Plan base) {
        if (in.has("plan") && in.nullValue("plan")) {
            in.error("plan", "must be an object; leave it out to keep the current plan");
        }
        Input p = in.nested("plan", PLAN_FIELDS);
        if (p == null) {
            return base;
        }
        Integer rate = p.has("rate_per_second") ? p.integer("rate_per_second", true, 1, 1_000_000) : (Integer) base.ratePerSecond();
        Integer burst = p.has("burst") ? p.integer("burst", true, 1, 10_000_000) : (Integer) base.burst();
        Long quota = p.has("quota") ? p.number("quota", false, 1, Long.MAX_VALUE / 2) : base.quota();
        String period = p.has("quota_period")
                ? p.oneOf("quota_period", true, Set.of("day", "month"), base.quotaPeriod()) : base.quotaPeriod();
        if (rate == null || burst == null || period == null) {
            return base;
        }
        return new Tenant.Plan(rate, burst, quota, period);
    }

    /**
     * Reads the jwt object with merge-patch semantics over {@code base}: {@code "jwt": null} removes the settings;
     * absent fields keep their value. Giving one key (HS256 secret or RS256 public key) drops the other.
     */
    private static Tenant.Jwt jwt(Input in, Tenant.Jwt base) {
        if (!in.has("jwt")) {
            return base;
        }
        if (in.nullValue("jwt")) {
            return null;
        }
        Input j = in.nested("jwt", JWT_FIELDS);
        if (j == null) {
            return base;
        }
        String issuer = j.has("issuer") || base == null ? j.string("issuer", true, 500, null, null) : base.issuer();
        String audience = j.has("audience") || base == null
                ? j.string("audience", true, 500, null, null) : base.audience();
        String secret = base == null ? null : base.hs256Secret();
        String pem = base == null ? null : base.rs256PublicKeyPem();
        if (j.has("hs256_secret")) {
            secret = j.string("hs256_secret", false, 512, null, null);
            if (secret != null && !j.has("rs256_public_key_pem")) {
                pem = null;
            }
            if (secret != null && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < MIN_HS256_SECRET_BYTES) {
                j.error("hs256_secret", "must be at least " + MIN_HS256_SECRET_BYTES + " bytes");
            }
        }
        if (j.has("rs256_public_key_pem")) {
            pem = j.multiline("rs256_public_key_pem", false, 8192);
            if (pem != null && !j.has("hs256_secret")) {
                secret = null;
            }
            if (pem != null) {
                try {
                    RsaPublicKeys.fromPem(pem);
                } catch (IllegalArgumentException e) {
                    j.error("rs256_public_key_pem", e.getMessage());
                }
            }
        }
        if ((secret == null) == (pem == null)) {
            j.error(secret == null ? "hs256_secret" : "rs256_public_key_pem",
                    "give exactly one of hs256_secret and rs256_public_key_pem");
        }
        Integer skew = j.has("clock_skew_seconds") ? j.integer("clock_skew_seconds", true, 0, 600)
                : (Integer) (base == null ? DEFAULT_CLOCK_SKEW_SECONDS : base.clockSkewSeconds());
        if (issuer == null || audience == null || skew == null || (secret == null) == (pem == null)) {
            return base;
        }
        return new Tenant.Jwt(issuer, audience, secret, pem == null ? null : pem.trim() + "\n", skew);
    }

    static void requirePlatformAdmin(Principal principal) {
        if (!principal.isPlatformAdmin()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "only platform admins manage tenants");
        }
    }

    private static ProblemException notFound(String slug) {
        return ProblemException.of(ProblemType.NOT_FOUND, "no tenant with slug '" + slug + "'");
    }
}
