-- Requests admitted by gateway nodes (past authentication, rate limits and quota), per UTC day, for each tenant
-- and each API key: what daily and monthly quotas are checked against. Flushed in batches by the nodes, which
-- add their counts (insert ... on conflict do update). subject_id is a tenant id when subject = 'tenant', an API
-- key id when subject = 'key'; no foreign keys, so usage outlives what it counted.
create table quota_usage (
    subject_id  uuid        not null,
    subject     varchar(8)  not null check (subject in ('tenant', 'key')),
    tenant_id   uuid        not null,
    day         date        not null,
    requests    bigint      not null default 0,
    primary key (subject_id, day)
);
create index quota_usage_tenant_day on quota_usage (tenant_id, day);
