package io.tollgate.gateway.pipeline;

/**
 * How an exchange ended on the wire: the status written, bytes read from the client and written to it, and
 * whether writing failed part-way (the client went away or the upstream broke off mid-body).
 */
public record Completion(int status, long bytesIn, long bytesOut, boolean aborted) {
}
