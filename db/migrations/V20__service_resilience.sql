-- Per-service traffic resilience settings read by every gateway node (docs/gateway-resilience.md).
-- lb_policy: how a target is picked; consistent-hash keys on hash_header, or on the caller's API key when null.
-- outlier_* : consecutive 5xx or connect failures that eject a target, and the first ejection's length (doubling
--             with each ejection in a row); 0 failures turns ejection off.
-- breaker_* : consecutive failures (timeouts included) that open a target's circuit, how long it stays open, and
--             how many trial requests a half-open circuit lets through; 0 failures turns the breaker off.
-- health_check_*: active checks by each node; no path means no active checks.
alter table services add column lb_policy varchar(24) not null default 'round-robin' check (lb_policy in ('round-robin', 'least-in-flight', 'consistent-hash'));
alter table services add column hash_header varchar(100);
alter table services add column outlier_consecutive_failures integer not null default 5 check (outlier_consecutive_failures between 0 and 1000);
alter table services add column outlier_base_ejection_ms integer not null default 30000 check (outlier_base_ejection_ms between 1 and 3600000);
alter table services add column breaker_consecutive_failures integer not null default 5 check (breaker_consecutive_failures between 0 and 1000);
alter table services add column breaker_open_ms integer not null default 10000 check (breaker_open_ms between 1 and 3600000);
alter table services add column breaker_half_open_requests integer not null default 1 check (breaker_half_open_requests between 1 and 1000);
alter table services add column health_check_path varchar(200);
alter table services add column health_check_interval_ms integer not null default 10000 check (health_check_interval_ms between 100 and 3600000);
alter table services add column health_check_timeout_ms integer not null default 2000 check (health_check_timeout_ms between 1 and 600000);
alter table services add column health_check_healthy_threshold integer not null default 2 check (health_check_healthy_threshold between 1 and 100);
alter table services add column health_check_unhealthy_threshold integer not null default 3 check (health_check_unhealthy_threshold between 1 and 100);
