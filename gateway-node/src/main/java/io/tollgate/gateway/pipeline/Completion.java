package io.tollgate.gateway.pipeline;

/**
 * How an exchange ended on the wire: the status written, bytes read from the client and written to it, whether
 * writing failed part-way (the client went away or the upstream broke off mid-body), and for a gRPC call the
 * {@code grpc-status} the client got ("" when none arrived; null for any other request).
 */
public record Completion(int status, long bytesIn, long bytesOut, boolean aborted, String grpcStatus) {

    public Completion(int status, long bytesIn, long bytesOut, boolean aborted) {
        this(status, bytesIn, bytesOut, aborted, null);
    }
}
