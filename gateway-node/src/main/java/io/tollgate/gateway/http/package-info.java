/**
 * The HTTP boundary, the only place that knows Helidon's request and response types:
 * {@link io.tollgate.gateway.http.GatewayHandler} turns a Helidon request into an
 * {@link io.tollgate.gateway.pipeline.Exchange}, runs the pipeline and writes its answer (problems through
 * {@link io.tollgate.common.problem.ProblemWriter}); {@link io.tollgate.gateway.http.ManagementRoutes} serves
 * health and metrics on the management port.
 */
package io.tollgate.gateway.http;
