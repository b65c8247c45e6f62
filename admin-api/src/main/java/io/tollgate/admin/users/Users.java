package io.tollgate.admin.users;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.admin.auth.PasswordHasher;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.Ids;
import io.tollgate.db.model.AdminUser;
import io.tollgate.db.model.RoleGrant;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.store.TenantStore;
import io.tollgate.db.store.UserStore;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.regex.Pattern;

/** Admin users and their role grants. Only platform admins manage them. */
public final class Users {
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}\\.[^@\\s]{1,63}");
    private static final Set<String> FIELDS = Set.of("email", "password", "display_name", "disabled", "grants");
    private static final Set<String> GRANT_FIELDS = Set.of("role", "tenant");
    private static final Set<String> ROLES = Set.of(Principal.PLATFORM_ADMIN, Principal.TENANT_ADMIN, Principal.AUDITOR);

    /** A user with the grants it holds, tenants named by slug. */
    public record UserWithGrants(AdminUser user, List<RoleGrant> grants) {
    }

    private final Database db;
    private final ChangeWriter writer;
    private final PasswordHasher passwords;

    public Users(Database db, ChangeWriter writer, PasswordHasher passwords) {
        this.db = db;
        this.writer = writer;
        this.passwords = passwords;
    }

    public Change<UserWithGrants> create(DSLContext tx, Caller caller, ObjectNode body) {
        requirePlatformAdmin(caller.principal());
        Input in = Input.of(body, FIELDS);
        String email = in.string("email", true, 320, EMAIL, "must be an email address");
        String password = password(in, true);
        String displayName = in.string("display_name", false, 200, null, null);
        Boolean disabled = in.bool("disabled");
        OffsetDateTime now = OffsetDateTime.now();
        UUID id = Ids.newId();
        List<RoleGrant> grants = grants(tx, in, id);
        in.validate();
        UserStore store = new UserStore(tx);
        if (store.byEmail(email).isPresent()) {
            throw ProblemException.of(ProblemType.CONFLICT, "a user with this email already exists");
        }
        AdminUser user = new AdminUser(id, email.toLowerCase(), passwords.hash(password), displayName,
                Boolean.TRUE.equals(disabled), 1, now, now);
        store.insert(user);
        store.replaceGrants(id, grants);
        UserWithGrants created = new UserWithGrants(user, grants);
        return new Change<>(created, "user.create", null, "user", id.toString(), null, json(tx, created));
    }

    /** Creates the first platform admin from the bootstrap settings, when there is no platform admin yet. */
    public Optional<AdminUser> bootstrap(String email, String password) {
        return Optional.ofNullable(db.transaction(cfg -> {
            DSLContext tx = org.jooq.impl.DSL.using(cfg);
            UserStore store = new UserStore(tx);
            tx.execute("select pg_advisory_xact_lock(7467000001)");
            if (store.anyPlatformAdmin()) {
                return null;
            }
            OffsetDateTime now = OffsetDateTime.now();
            AdminUser user = store.byEmail(email).orElse(null);
            if (user == null) {
                user = new AdminUser(Ids.newId(), email.toLowerCase(), passwords.hash(password), "Bootstrap admin",
                        false, 1, now, now);
                store.insert(user);
            }
            List<RoleGrant> grants = new java.util.ArrayList<>(store.grantsOf(user.id()));
            grants.add(new RoleGrant(Ids.newId(), user.id(), Principal.PLATFORM_ADMIN, null, now));
            store.replaceGrants(user.id(), grants);
            UserWithGrants created = new UserWithGrants(user, grants);
            new io.tollgate.db.store.AuditStore(tx).append(new io.tollgate.db.model.AuditEvent(null, now, "system",
                    null, "bootstrap", null, "user.bootstrap", "user", user.id().toString(), null, json(tx, created),
                    null, null, null, null));
            return user;
        }));
    }

    public List<UserWithGrants> page(Principal principal, UUID after, int limit) {
        requirePlatformAdmin(principal);
        UserStore store = new UserStore(db.dsl());
        return store.page(after, limit).stream().map(u -> new UserWithGrants(u, store.grantsOf(u.id()))).toList();
    }

    public UserWithGrants get(Principal principal, String id) {
        requirePlatformAdmin(principal);
        UserStore store = new UserStore(db.dsl());
        AdminUser user = find(store, id);
        return new UserWithGrants(user, store.grantsOf(user.id()));
    }

    public UserWithGrants update(Caller caller, String id, ObjectNode body, IntConsumer ifMatch) {
        requirePlatformAdmin(caller.principal());
        return writer.write(caller, tx -> {
            UserStore store = new UserStore(tx);
            AdminUser current = find(store, id);
            ifMatch.accept(current.rowVersion());
            UserWithGrants before = new UserWithGrants(current, store.grantsOf(current.id()));
            Input in = Input.of(body, FIELDS);
            if (in.has("email") && !current.email().equalsIgnoreCase(body.path("email").asText())) {
                in.error("email", "cannot be changed; create a new user instead");
            }
            String password = password(in, false);
            String displayName = in.has("display_name") ? in.string("display_name", false, 200, null, null)
                    : current.displayName();
            Boolean disabled = in.has("disabled") ? in.bool("disabled") : (Boolean) current.disabled();
            if (in.has("disabled") && disabled == null) {
                in.error("disabled", "must be true or false");
            }
            List<RoleGrant> grants = in.has("grants") ? grants(tx, in, current.id()) : before.grants();
            in.validate();
            if (current.id().equals(caller.principal().id()) && (Boolean.TRUE.equals(disabled)
                    || grants.stream().noneMatch(g -> g.role().equals(Principal.PLATFORM_ADMIN)))) {
                throw ProblemException.of(ProblemType.CONFLICT,
                        "you cannot disable yourself or drop your own platform-admin role");
            }
            AdminUser next = new AdminUser(current.id(), current.email(),
                    password == null ? current.passwordHash() : passwords.hash(password), displayName,
                    Boolean.TRUE.equals(disabled), current.rowVersion() + 1, current.createdAt(), OffsetDateTime.now());
            if (!store.update(next, current.rowVersion())) {
                throw Api.stale();
            }
            if (in.has("grants")) {
                store.replaceGrants(current.id(), grants);
            }
            UserWithGrants after = new UserWithGrants(next, grants);
            String action = in.has("grants") ? "user.update-roles" : "user.update";
            return new Change<>(after, action, null, "user", current.id().toString(), json(tx, before),
                    json(tx, after).put("password_changed", password != null));
        });
    }

    public void delete(Caller caller, String id, IntConsumer ifMatch) {
        requirePlatformAdmin(caller.principal());
        writer.write(caller, tx -> {
            UserStore store = new UserStore(tx);
            AdminUser current = find(store, id);
            ifMatch.accept(current.rowVersion());
            if (current.id().equals(caller.principal().id())) {
                throw ProblemException.of(ProblemType.CONFLICT, "you cannot delete yourself");
            }
            UserWithGrants before = new UserWithGrants(current, store.grantsOf(current.id()));
            if (!store.delete(current.id(), current.rowVersion())) {
                throw Api.stale();
            }
            return new Change<>(before, "user.delete", null, "user", current.id().toString(), json(tx, before), null);
        });
    }

    /** The JSON shape of a user: never the password hash. */
    public static ObjectNode json(DSLContext dsl, UserWithGrants u) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", u.user().id().toString());
        node.put("email", u.user().email());
        node.put("display_name", u.user().displayName());
        node.put("disabled", u.user().disabled());
        var grants = node.putArray("grants");
        TenantStore tenants = new TenantStore(dsl);
        for (RoleGrant g : u.grants()) {
            var grant = grants.addObject().put("role", g.role());
            if (g.tenantId() == null) {
                grant.putNull("tenant");
            } else {
                grant.put("tenant", tenants.byId(g.tenantId()).map(Tenant::slug).orElse(g.tenantId().toString()));
            }
        }
        node.put("created_at", u.user().createdAt().toInstant().toString());
        node.put("updated_at", u.user().updatedAt().toInstant().toString());
        return node;
    }

    private static String password(Input in, boolean required) {
        if (!required && !in.has("password")) {
            return null;
        }
        String password = in.string("password", required, 200, null, null);
        if (password != null && password.length() < 12) {
            in.error("password", "must be at least 12 characters");
            return null;
        }
        return password;
    }

    private static List<RoleGrant> grants(DSLContext tx, Input in, UUID userId) {
        TenantStore tenants = new TenantStore(tx);
        OffsetDateTime now = OffsetDateTime.now();
        List<RoleGrant> grants = in.list("grants", false, 100, e -> {
            Input g = e.object(GRANT_FIELDS);
            if (g == null) {
                return null;
            }
            String role = g.oneOf("role", true, ROLES, null);
            String slug = g.string("tenant", false, 63, null, null);
            if (role == null) {
                return null;
            }
            UUID tenantId = null;
            if (slug != null) {
                Optional<Tenant> tenant = tenants.bySlug(slug);
                if (tenant.isEmpty()) {
                    g.error("tenant", "no tenant with slug '" + slug + "'");
                    return null;
                }
                tenantId = tenant.get().id();
            }
            if (role.equals(Principal.PLATFORM_ADMIN) && tenantId != null) {
                g.error("tenant", "platform-admin is platform-wide; leave tenant out");
                return null;
            }
            if (role.equals(Principal.TENANT_ADMIN) && tenantId == null) {
                g.error("tenant", "tenant-admin needs a tenant");
                return null;
            }
            return new RoleGrant(Ids.newId(), userId, role, tenantId, now);
        });
        if (grants == null) {
            return List.of();
        }
        // One grant per (role, tenant): ids and timestamps differ, so compare on what the grant means.
        var seen = new java.util.HashSet<String>();
        return grants.stream().filter(g -> seen.add(g.role() + "|" + g.tenantId())).toList();
    }

    private static AdminUser find(UserStore store, String id) {
        try {
            return store.byId(UUID.fromString(id)).orElseThrow(Users::notFound);
        } catch (IllegalArgumentException e) {
            throw notFound();
        }
    }

    private static ProblemException notFound() {
        return ProblemException.of(ProblemType.NOT_FOUND, "no such user");
    }

    static void requirePlatformAdmin(Principal principal) {
        if (!principal.isPlatformAdmin()) {
            throw ProblemException.of(ProblemType.FORBIDDEN, "only platform admins manage users");
        }
    }
}
