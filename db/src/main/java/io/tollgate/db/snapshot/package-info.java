/**
 * The read model of a whole config snapshot: every tenant, service, route and API key plus the config
 * version they belong to, read in one REPEATABLE READ read-only transaction so the parts agree with each other.
 * Gateway nodes compile it; they never read the tables piecemeal.
 */
package io.tollgate.db.snapshot;
