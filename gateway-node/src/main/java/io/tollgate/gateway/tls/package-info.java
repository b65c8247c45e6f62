/**
 * The gateway's HTTPS listener: settings ({@link io.tollgate.gateway.tls.TlsSettings}), the certificate and key
 * read from PEM files and checked to belong together ({@code ServingCertificate}), and the listener that serves
 * them and swaps in a new pair when the files change ({@link io.tollgate.gateway.tls.TlsListener}). The listener
 * serves the same pipeline as the plain port; ALPN (h2, http/1.1) is negotiated by Helidon's connection selectors.
 * The other direction, TLS from the node to https targets, is {@link io.tollgate.gateway.tls.UpstreamTls}: the trust
 * (JDK default plus the operator's bundle) and the verified handshake the proxy's connections are made with.
 */
package io.tollgate.gateway.tls;
