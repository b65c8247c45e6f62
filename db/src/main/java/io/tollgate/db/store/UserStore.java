package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.AdminUsersRecord;
import io.tollgate.db.jooq.tables.records.RoleGrantsRecord;
import io.tollgate.db.model.AdminUser;
import io.tollgate.db.model.RoleGrant;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.ADMIN_USERS;
import static io.tollgate.db.jooq.Tables.ROLE_GRANTS;

/** Admin users and the roles granted to them. */
public final class UserStore {
    private final DSLContext dsl;

    public UserStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void insert(AdminUser u) {
        dsl.insertInto(ADMIN_USERS)
                .set(ADMIN_USERS.ID, u.id())
                .set(ADMIN_USERS.EMAIL, u.email())
                .set(ADMIN_USERS.PASSWORD_HASH, u.passwordHash())
                .set(ADMIN_USERS.DISPLAY_NAME, u.displayName())
                .set(ADMIN_USERS.DISABLED, u.disabled())
                .set(ADMIN_USERS.ROW_VERSION, u.rowVersion())
                .set(ADMIN_USERS.CREATED_AT, u.createdAt())
                .set(ADMIN_USERS.UPDATED_AT, u.updatedAt())
                .execute();
    }

    public Optional<AdminUser> byEmail(String email) {
        return dsl.selectFrom(ADMIN_USERS).where(DSL.lower(ADMIN_USERS.EMAIL).eq(email.toLowerCase()))
                .fetchOptional(UserStore::map);
    }

    public Optional<AdminUser> byId(UUID id) {
        return dsl.selectFrom(ADMIN_USERS).where(ADMIN_USERS.ID.eq(id)).fetchOptional(UserStore::map);
    }

    public List<AdminUser> page(UUID after, int limit) {
        return dsl.selectFrom(ADMIN_USERS)
                .where(after == null ? DSL.noCondition() : ADMIN_USERS.ID.gt(after))
                .orderBy(ADMIN_USERS.ID).limit(limit).fetch(UserStore::map);
    }

    public boolean anyPlatformAdmin() {
        return dsl.fetchExists(ROLE_GRANTS, ROLE_GRANTS.ROLE.eq("platform-admin"));
    }

    public boolean update(AdminUser u, int expectedVersion) {
        return dsl.update(ADMIN_USERS)
                .set(ADMIN_USERS.PASSWORD_HASH, u.passwordHash())
                .set(ADMIN_USERS.DISPLAY_NAME, u.displayName())
                .set(ADMIN_USERS.DISABLED, u.disabled())
                .set(ADMIN_USERS.ROW_VERSION, expectedVersion + 1)
                .set(ADMIN_USERS.UPDATED_AT, OffsetDateTime.now())
                .where(ADMIN_USERS.ID.eq(u.id()).and(ADMIN_USERS.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    public boolean delete(UUID id, int expectedVersion) {
        return dsl.deleteFrom(ADMIN_USERS)
                .where(ADMIN_USERS.ID.eq(id).and(ADMIN_USERS.ROW_VERSION.eq(expectedVersion)))
                .execute() == 1;
    }

    public List<RoleGrant> grantsOf(UUID userId) {
        return dsl.selectFrom(ROLE_GRANTS).where(ROLE_GRANTS.USER_ID.eq(userId)).orderBy(ROLE_GRANTS.ID)
                .fetch(UserStore::mapGrant);
    }

    public void replaceGrants(UUID userId, List<RoleGrant> grants) {
        dsl.deleteFrom(ROLE_GRANTS).where(ROLE_GRANTS.USER_ID.eq(userId)).execute();
        for (RoleGrant g : grants) {
            dsl.insertInto(ROLE_GRANTS)
                    .set(ROLE_GRANTS.ID, g.id())
                    .set(ROLE_GRANTS.USER_ID, userId)
                    .set(ROLE_GRANTS.ROLE, g.role())
                    .set(ROLE_GRANTS.TENANT_ID, g.tenantId())
                    .set(ROLE_GRANTS.CREATED_AT, g.createdAt())
                    .execute();
        }
    }

    static AdminUser map(AdminUsersRecord r) {
        return new AdminUser(r.getId(), r.getEmail(), r.getPasswordHash(), r.getDisplayName(), r.getDisabled(),
                r.getRowVersion(), r.getCreatedAt(), r.getUpdatedAt());
    }

    static RoleGrant mapGrant(RoleGrantsRecord r) {
        return new RoleGrant(r.getId(), r.getUserId(), r.getRole(), r.getTenantId(), r.getCreatedAt());
    }
}
