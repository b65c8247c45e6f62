package io.tollgate.db.store;

import io.tollgate.db.jooq.tables.records.ConsoleSessionsRecord;
import io.tollgate.db.model.ConsoleSession;
import org.jooq.DSLContext;

import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;

import static io.tollgate.db.jooq.Tables.CONSOLE_SESSIONS;

/** Console browser sessions, keyed by the SHA-256 of the cookie secret. */
public final class ConsoleSessionStore {
    private final DSLContext dsl;

    public ConsoleSessionStore(DSLContext dsl) {
        this.dsl = dsl;
    }

    public void insert(ConsoleSession s) {
        dsl.insertInto(CONSOLE_SESSIONS)
                .set(CONSOLE_SESSIONS.ID_SHA256, s.idSha256())
                .set(CONSOLE_SESSIONS.USER_ID, s.userId())
                .set(CONSOLE_SESSIONS.CREATED_AT, s.createdAt())
                .set(CONSOLE_SESSIONS.LAST_SEEN_AT, s.lastSeenAt())
                .set(CONSOLE_SESSIONS.EXPIRES_AT, s.expiresAt())
                .execute();
    }

    /** The session, when it exists and has not expired at {@code now}. */
    public Optional<ConsoleSession> live(String idSha256, OffsetDateTime now) {
        return dsl.selectFrom(CONSOLE_SESSIONS)
                .where(CONSOLE_SESSIONS.ID_SHA256.eq(idSha256).and(CONSOLE_SESSIONS.EXPIRES_AT.gt(now)))
                .fetchOptional(ConsoleSessionStore::map);
    }

    /** Records activity; the caller throttles how often, so a busy page does not write on every request. */
    public void touch(String idSha256, OffsetDateTime now) {
        dsl.update(CONSOLE_SESSIONS).set(CONSOLE_SESSIONS.LAST_SEEN_AT, now)
                .where(CONSOLE_SESSIONS.ID_SHA256.eq(idSha256)).execute();
    }

    public boolean delete(String idSha256) {
        return dsl.deleteFrom(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.ID_SHA256.eq(idSha256)).execute() == 1;
    }

    public int deleteOfUser(UUID userId) {
        return dsl.deleteFrom(CONSOLE_SESSIONS).where(CONSOLE_SESSIONS.USER_ID.eq(userId)).execute();
    }

    /** Removes sessions that expired, or saw no activity since {@code idleBefore}. */
    public int deleteDead(OffsetDateTime now, OffsetDateTime idleBefore) {
        return dsl.deleteFrom(CONSOLE_SESSIONS)
                .where(CONSOLE_SESSIONS.EXPIRES_AT.le(now).or(CONSOLE_SESSIONS.LAST_SEEN_AT.lt(idleBefore)))
                .execute();
    }

    static ConsoleSession map(ConsoleSessionsRecord r) {
        return new ConsoleSession(r.getIdSha256(), r.getUserId(), r.getCreatedAt(), r.getLastSeenAt(),
                r.getExpiresAt());
    }
}
