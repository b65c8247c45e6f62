-- Operator automation tokens. The JWT itself is never stored; its id (jti) is, so it can be revoked.
create table api_tokens (
    id         uuid         primary key,
    name       varchar(200) not null,
    role       varchar(32)  not null check (role in ('platform-admin', 'tenant-admin', 'auditor')),
    tenant_id  uuid         references tenants (id) on delete cascade,
    created_by uuid         references admin_users (id) on delete set null,
    expires_at timestamp with time zone not null,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone not null default current_timestamp,
    constraint api_tokens_scope check (
        (role = 'platform-admin' and tenant_id is null)
        or (role = 'tenant-admin' and tenant_id is not null)
        or role = 'auditor')
);
