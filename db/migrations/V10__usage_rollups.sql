-- Per-minute usage per tenant and route, flushed in batches by gateway nodes.
-- latency_buckets is a JSON array of counts for the fixed bucket bounds the gateway documents.
create table usage_rollups (
    tenant_id       uuid    not null,
    route_id        uuid    not null,
    minute          timestamp with time zone not null,
    requests        bigint  not null default 0,
    errors_4xx      bigint  not null default 0,
    errors_5xx      bigint  not null default 0,
    latency_buckets jsonb   not null,
    primary key (tenant_id, route_id, minute)
);
create index usage_rollups_minute on usage_rollups (minute);
