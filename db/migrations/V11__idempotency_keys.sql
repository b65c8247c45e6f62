-- Idempotency-Key replay for admin POSTs: the first response is stored in the same transaction as the change.
-- Secrets (API keys, tokens) are removed from the stored body before it is written.
create table idempotency_keys (
    principal     varchar(64)  not null,
    key           varchar(255) not null,
    method        varchar(8)   not null,
    path          varchar(1024) not null,
    request_hash  varchar(64)  not null,
    status        integer      not null,
    location      varchar(1024),
    etag          varchar(64),
    response_body text         not null,
    created_at    timestamp with time zone not null default current_timestamp,
    primary key (principal, key)
);
