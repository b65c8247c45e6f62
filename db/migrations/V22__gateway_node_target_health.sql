-- What each gateway node last reported about the upstream targets it sends to (docs/gateway-resilience.md):
-- a JSON array of {"service_id", "service", "target", "healthy", "circuit", "ejected", "failing_checks"}.
-- Null until a node that reports it heartbeats.
alter table gateway_nodes add column target_health jsonb;
