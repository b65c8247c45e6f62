/**
 * WebSocket upgrade pass-through: an HTTP/1.1 {@code GET} with {@code Upgrade: websocket} runs through the same
 * pipeline as every request (route, key, JWT, tenant status, rate limit and quota count it as one request), the
 * proxy asks the picked target to switch too, and on its 101 the two sockets are spliced byte for byte
 * ({@link io.tollgate.gateway.ws.Splice}) until one side closes or nothing moves for the idle timeout.
 * Helidon's HTTP/1 upgrade SPI is how the client socket is taken over ({@link io.tollgate.gateway.ws.WebSocketUpgrader}).
 */
package io.tollgate.gateway.ws;
