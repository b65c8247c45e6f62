-- Per-route response cache settings read by every gateway node (docs/gateway-resilience.md, "Response cache").
-- cache_enabled: GET and HEAD answers of this route may be cached (opt-in).
-- cache_ttl_seconds: how long an answer stays fresh when the upstream says nothing, and the most it may stay
--                    fresh when the upstream's Cache-Control max-age / s-maxage says more.
-- cache_per_consumer: answers to authenticated requests are cached too, one copy per consumer (API key or JWT
--                     subject); without it they are never cached.
-- cache_stale_if_error_seconds: how long after it went stale a copy may still be served when the upstream fails.
-- cache_purge_generation: bumped by a purge; nodes key entries by it, so a purge reaches every node with the
--                         config version that carries it.
alter table routes add column cache_enabled boolean not null default false;
alter table routes add column cache_ttl_seconds integer not null default 60 check (cache_ttl_seconds between 1 and 86400);
alter table routes add column cache_per_consumer boolean not null default false;
alter table routes add column cache_stale_if_error_seconds integer not null default 0 check (cache_stale_if_error_seconds between 0 and 86400);
alter table routes add column cache_purge_generation bigint not null default 0;
