-- Gateway nodes heartbeat here: which config version each has applied, and when it last spoke.
create table gateway_nodes (
    id              varchar(128) primary key,
    host            varchar(255) not null,
    applied_version bigint       not null,
    started_at      timestamp with time zone not null,
    last_heartbeat  timestamp with time zone not null
);
