-- A route sends matching requests to a service. hosts, paths and methods are JSON arrays of strings;
-- an empty hosts array matches any host, an empty methods array any method.
create table routes (
    id              uuid         primary key,
    tenant_id       uuid         not null references tenants (id) on delete cascade,
    service_id      uuid         not null references services (id),
    name            varchar(100) not null,
    hosts           jsonb        not null,
    paths           jsonb        not null,
    methods         jsonb        not null,
    strip_prefix    boolean      not null default false,
    auth            varchar(8)   not null default 'api-key' check (auth in ('api-key', 'jwt', 'none')),
    rate_per_second integer      check (rate_per_second is null or rate_per_second > 0),
    burst           integer      check (burst is null or burst > 0),
    max_body_bytes  bigint       check (max_body_bytes is null or max_body_bytes >= 0),
    row_version     integer      not null default 1,
    created_at      timestamp with time zone not null default current_timestamp,
    updated_at      timestamp with time zone not null default current_timestamp,
    constraint routes_name_per_tenant unique (tenant_id, name)
);
create index routes_service on routes (service_id);
