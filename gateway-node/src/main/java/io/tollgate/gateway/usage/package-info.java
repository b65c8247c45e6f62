/**
 * Usage accounting, off the request path. The pipeline only adds to in-memory counts: per-minute rollups per
 * tenant and route ({@code UsageRollups}, fed by the record filter at completion), requests admitted against
 * quotas ({@link io.tollgate.gateway.usage.QuotaLedger}, fed by the quota filter at admission) and denied requests
 * aggregated per tenant, key, route, status and minute ({@code DeniedRequests}). {@link
 * io.tollgate.gateway.usage.UsageFlusher}'s thread writes them to PostgreSQL in batches (rollups and quota counts
 * in one transaction, denied-request audit events in another) and reads back the quota totals every node has
 * stored, so each node checks quotas against the cluster's usage plus its own unflushed counts.
 */
package io.tollgate.gateway.usage;
