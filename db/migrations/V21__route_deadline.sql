-- A route's total deadline across retries, in milliseconds; null for none (each attempt then has only the
-- service's read timeout). Gateway nodes pass what is left of it upstream (docs/gateway-resilience.md).
alter table routes add column deadline_ms integer check (deadline_ms between 1 and 3600000);
