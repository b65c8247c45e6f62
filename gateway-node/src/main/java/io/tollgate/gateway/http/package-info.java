/**
 * The HTTP boundary, the only place that knows Helidon's request and response types:
 * {@link io.tollgate.gateway.http.GatewayHandler} turns a Helidon request into an
 * {@link io.tollgate.gateway.pipeline.Exchange}, runs the pipeline and writes its answer (problems through
 * {@link io.tollgate.common.problem.ProblemWriter}); {@link io.tollgate.gateway.http.ManagementRoutes} serves
 * health and metrics on the management port; {@link io.tollgate.gateway.http.Drain} is graceful shutdown, which
 * tells HTTP/2 clients GOAWAY through the connections it tracks ({@code Http2Clients}, {@code ClientConnection},
 * {@code GoAwayWriter}).
 */
package io.tollgate.gateway.http;
