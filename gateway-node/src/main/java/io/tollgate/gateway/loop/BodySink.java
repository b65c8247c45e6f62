package io.tollgate.gateway.loop;

/**
 * Where a {@link LoopBody} pushes an answer's body on the event loop: the client connection, which queues it and
 * writes what the socket takes.
 */
public interface BodySink {
    /**
     * Takes body bytes (copied before returning). False when the client is backed up: the source reads nothing
     * more until {@link LoopBody#resume()} is called.
     */
    boolean data(byte[] buffer, int offset, int length);

    /** Sends what is queued: the source is about to wait for the upstream. */
    void flush();

    /** The body is over: whole ({@code complete}), or broken off, when the client must see a cut connection. */
    void end(boolean complete);
}
