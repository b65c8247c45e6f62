-- People who sign in to the admin API and console. password_hash is a PBKDF2 string
-- ("pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>"), never a plain digest.
create table admin_users (
    id            uuid         primary key,
    email         varchar(320) not null unique,
    password_hash varchar(255) not null,
    display_name  varchar(200),
    disabled      boolean      not null default false,
    row_version   integer      not null default 1,
    created_at    timestamp with time zone not null default current_timestamp,
    updated_at    timestamp with time zone not null default current_timestamp
);

-- platform-admin: every tenant; tenant-admin: exactly one tenant; auditor: platform-wide (no tenant) or one tenant.
create table role_grants (
    id         uuid        primary key,
    user_id    uuid        not null references admin_users (id) on delete cascade,
    role       varchar(32) not null check (role in ('platform-admin', 'tenant-admin', 'auditor')),
    tenant_id  uuid        references tenants (id) on delete cascade,
    created_at timestamp with time zone not null default current_timestamp,
    constraint role_grants_scope check (
        (role = 'platform-admin' and tenant_id is null)
        or (role = 'tenant-admin' and tenant_id is not null)
        or role = 'auditor')
);
create index role_grants_user on role_grants (user_id);
