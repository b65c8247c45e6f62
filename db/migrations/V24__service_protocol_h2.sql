-- Protocol h2: HTTP/2 over TLS (ALPN h2) to https targets (docs/gateway-node.md, "Upstream protocols").
-- The protocol names the HTTP version; TLS is the target URL's scheme (https). h2c stays cleartext only, h2 is
-- TLS only; http1 and grpc go either way. The admin API checks the pairing with the targets.
-- (jOOQ's code generation simulates the DDL in H2, where the V4 check has another name; no column changes here.)
-- [jooq ignore start]
alter table services drop constraint services_protocol_check;
alter table services add constraint services_protocol_check
    check (protocol in ('http1', 'h2c', 'h2', 'grpc'));
-- [jooq ignore stop]
