-- Tenants own every service, route and API key. The plan (rate, burst, quota) lives on the tenant row.
create table tenants (
    id              uuid         primary key,
    slug            varchar(63)  not null unique,
    name            varchar(200) not null,
    status          varchar(16)  not null default 'active' check (status in ('active', 'suspended')),
    rate_per_second integer      not null check (rate_per_second > 0),
    burst           integer      not null check (burst > 0),
    quota           bigint       check (quota is null or quota > 0),
    quota_period    varchar(8)   not null default 'month' check (quota_period in ('day', 'month')),
    row_version     integer      not null default 1,
    created_at      timestamp with time zone not null default current_timestamp,
    updated_at      timestamp with time zone not null default current_timestamp
);
