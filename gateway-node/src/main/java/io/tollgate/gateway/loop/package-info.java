/**
 * The event-loop front door of the plain gateway port (issue 3, throughput): selector threads parse request heads
 * themselves and serve the simple requests on the loop ({@code FrontDoor}). Every other connection (HTTP/2,
 * upgrades, bodies, unusual heads) is handed over, before any side effect, to Helidon on an internal 127.0.0.1
 * listener that requires the PROXY protocol, so that Helidon still sees the real client address
 * ({@link io.tollgate.gateway.loop.Handover}).
 */
package io.tollgate.gateway.loop;
