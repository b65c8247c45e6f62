-- The audit trail: append-only, hash-chained (hash = SHA-256(prev_hash || canonical event)).
-- tenant_id has no foreign key on purpose: events outlive the tenants they describe.
create table audit_events (
    id          bigint       generated always as identity primary key,
    occurred_at timestamp with time zone not null,
    actor_type  varchar(16)  not null check (actor_type in ('user', 'token', 'system', 'anonymous')),
    actor_id    varchar(64),
    actor_name  varchar(320),
    tenant_id   uuid,
    action      varchar(64)  not null,
    target_type varchar(32)  not null,
    target_id   varchar(64),
    before_state jsonb,
    after_state  jsonb,
    client_ip   varchar(64),
    request_id  varchar(64),
    prev_hash   varchar(64)  not null,
    hash        varchar(64)  not null unique
);
create index audit_events_tenant_time on audit_events (tenant_id, occurred_at);
create index audit_events_time on audit_events (occurred_at);

-- [jooq ignore start]
create function tollgate_audit_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_events is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_events_no_update_or_delete before update or delete on audit_events
    for each row execute function tollgate_audit_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function tollgate_audit_append_only();
-- [jooq ignore stop]
