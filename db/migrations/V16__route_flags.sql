-- Two per-route flags. pass_credential: forward the client's credential (X-API-Key, or Authorization when it
-- carried the key or token) to the upstream instead of removing it. internal_headers: a JSON array of response
-- header names (lower case) the gateway removes before the client sees the answer.
alter table routes add column pass_credential boolean not null default false;
alter table routes add column internal_headers jsonb not null default '[]';
