-- Browser sessions of the admin console. The cookie holds a random secret; only its SHA-256 is stored here,
-- so a copy of this table signs nobody in. Rows past expires_at are dead and removed lazily.
create table console_sessions (
    id_sha256    varchar(64) primary key,
    user_id      uuid        not null references admin_users (id) on delete cascade,
    created_at   timestamp with time zone not null default current_timestamp,
    last_seen_at timestamp with time zone not null default current_timestamp,
    expires_at   timestamp with time zone not null
);
create index console_sessions_user on console_sessions (user_id);
create index console_sessions_expires on console_sessions (expires_at);
