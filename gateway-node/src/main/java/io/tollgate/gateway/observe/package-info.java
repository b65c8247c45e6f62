/**
 * Observability: request ids and W3C trace context ({@link io.tollgate.gateway.observe.RequestIdFilter}), and
 * recording each finished exchange ({@link io.tollgate.gateway.observe.RecordFilter}) as one JSON access-log line
 * on the {@code tollgate.access} logger plus Prometheus counters and histograms
 * ({@link io.tollgate.gateway.observe.GatewayMetrics}). Credentials, cookies and query values are never recorded.
 */
package io.tollgate.gateway.observe;
