-- One row whose version only grows; every admin write bumps it and NOTIFYs tollgate_config.
create table config_state (
    id         integer not null primary key check (id = 1),
    version    bigint  not null,
    updated_at timestamp with time zone not null default current_timestamp
);
insert into config_state (id, version) values (1, 1);

-- [jooq ignore start]
create function tollgate_config_version_grows() returns trigger language plpgsql as $$
begin
    if new.version <= old.version then
        raise exception 'config_state.version must grow (% -> %)', old.version, new.version;
    end if;
    return new;
end
$$;
create trigger config_state_version_grows before update on config_state
    for each row execute function tollgate_config_version_grows();
create trigger config_state_no_delete before delete or truncate on config_state
    for each statement execute function tollgate_audit_append_only();
-- [jooq ignore stop]
