-- An upstream service: where a tenant's Go, Rust or other backend runs.
-- targets is a JSON array of {"url": "...", "weight": n}.
create table services (
    id                 uuid         primary key,
    tenant_id          uuid         not null references tenants (id) on delete cascade,
    name               varchar(100) not null,
    language           varchar(8)   not null default 'other' check (language in ('go', 'rust', 'other')),
    protocol           varchar(8)   not null default 'http1' check (protocol in ('http1', 'h2c', 'grpc')),
    targets            jsonb        not null,
    connect_timeout_ms integer      not null default 2000 check (connect_timeout_ms > 0),
    read_timeout_ms    integer      not null default 30000 check (read_timeout_ms > 0),
    retries            integer      not null default 0 check (retries >= 0),
    row_version        integer      not null default 1,
    created_at         timestamp with time zone not null default current_timestamp,
    updated_at         timestamp with time zone not null default current_timestamp,
    constraint services_name_per_tenant unique (tenant_id, name)
);
