-- Retention: old audit events may be pruned, never altered. DELETE is allowed only inside a transaction that
-- set tollgate.audit_prune = 'on' (set local), which only the pruning command does; it appends a checkpoint
-- event holding the hash at the cut in the same transaction, so the remaining chain still verifies.
-- UPDATE and TRUNCATE stay refused.

-- [jooq ignore start]
create or replace function tollgate_audit_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and tg_table_name = 'audit_events'
            and coalesce(current_setting('tollgate.audit_prune', true), '') = 'on' then
        return old;
    end if;
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end
$$;
-- [jooq ignore stop]
