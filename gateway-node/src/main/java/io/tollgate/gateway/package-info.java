/**
 * The gateway node (data plane): {@link io.tollgate.gateway.GatewayServer} wires snapshots, the request
 * pipeline and the two listeners (gateway and management); {@link io.tollgate.gateway.GatewayMain} runs it from
 * the environment. See {@code io.tollgate.gateway.pipeline} for the request flow.
 */
package io.tollgate.gateway;
