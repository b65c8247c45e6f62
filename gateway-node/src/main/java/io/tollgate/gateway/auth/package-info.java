/**
 * Who is calling and whether they may: {@link io.tollgate.gateway.auth.ApiKeyAuthenticator} checks
 * {@code tg_<public id>_<secret>} keys against the snapshot's key index (constant-time comparison of SHA-256
 * digests, never the secret itself), and {@link io.tollgate.gateway.auth.TenantStatusFilter} refuses suspended
 * tenants. Credentials are removed before a request is forwarded.
 */
package io.tollgate.gateway.auth;
