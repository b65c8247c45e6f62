-- API keys are shown once as tg_<public_id>_<secret>. Only the public id and SHA-256(secret) are kept.
-- allowed_routes is a JSON array of route ids, or null for every route of the tenant.
create table api_keys (
    id              uuid         primary key,
    tenant_id       uuid         not null references tenants (id) on delete cascade,
    name            varchar(200) not null,
    public_id       varchar(32)  not null unique,
    secret_sha256   varchar(64)  not null,
    allowed_routes  jsonb,
    rate_per_second integer      check (rate_per_second is null or rate_per_second > 0),
    burst           integer      check (burst is null or burst > 0),
    quota           bigint       check (quota is null or quota > 0),
    expires_at      timestamp with time zone,
    revoked_at      timestamp with time zone,
    last_used_at    timestamp with time zone,
    row_version     integer      not null default 1,
    created_at      timestamp with time zone not null default current_timestamp,
    updated_at      timestamp with time zone not null default current_timestamp
);
create index api_keys_tenant on api_keys (tenant_id);
