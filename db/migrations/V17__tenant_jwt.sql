-- A tenant's settings for its routes with auth = 'jwt': the issuer and audience a token must carry, the key that
-- signs tokens (an HS256 shared secret, or an RS256 public key in PEM) and the clock skew allowed on exp and nbf.
-- All null: the tenant has no JWT settings and its jwt routes refuse every request. The HS256 secret is needed
-- to verify tokens, so it is stored as given; the admin API never returns it and audit events never hold it.
alter table tenants add column jwt_issuer varchar(500);
alter table tenants add column jwt_audience varchar(500);
alter table tenants add column jwt_hs256_secret varchar(512);
alter table tenants add column jwt_rs256_public_key varchar(8192);
alter table tenants add column jwt_clock_skew_seconds integer;

-- [jooq ignore start]
alter table tenants add constraint tenants_jwt_complete check (
    (jwt_issuer is null and jwt_audience is null and jwt_hs256_secret is null and jwt_rs256_public_key is null
        and jwt_clock_skew_seconds is null)
    or (jwt_issuer is not null and jwt_audience is not null and jwt_clock_skew_seconds between 0 and 600
        and (jwt_hs256_secret is null) <> (jwt_rs256_public_key is null)));
-- [jooq ignore stop]
