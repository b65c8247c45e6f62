package io.tollgate.gateway.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writer of one client's HTTP/2 connection, through which Helidon writes every frame, with one addition: a
 * GOAWAY(NO_ERROR) can be slipped in between two frames ({@link #goAway}). Helidon 4.5 has no API to send one on a
 * live connection (it sends GOAWAY only when it closes the connection, with last-stream-id 0).
 *
 * <p>Helidon's {@code Http2ConnectionWriter} hands over one whole frame per call (header and payload together), so
 * a call boundary is a frame boundary and the first bytes of each call are a frame header. Two places are not safe
 * for another frame and are watched for: before the server's own SETTINGS (its connection preface must come first),
 * and inside a header block (a HEADERS frame without END_HEADERS must be followed by its CONTINUATION frames and
 * nothing else, RFC 9113 section 6.10). A GOAWAY asked for at such a moment waits and follows the frame that ends
 * it.
 *
 * <p>Concurrency: every write holds {@link #lock}. {@link #goAway} returns at once (a client that stopped reading
 * must not hold up the node's shutdown, on the lock or on the socket): it leaves the frame pending and a virtual
 * thread sends it if the lock is free; a writer that holds the lock looks for a pending GOAWAY again after releasing
 * it, so none is left behind. Two GOAWAYs asked for close together may go out as the lower one alone, which
 * RFC 9113 allows (the notice is an optimisation; the final one is what counts).
 */
final class GoAwayWriter implements DataWriter {
    private static final int FRAME_HEADER = 9;
    private static final int HEADERS = 0x1;
    private static final int SETTINGS = 0x4;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;
    private static final int NONE = -1;

    private final DataWriter socket;
    private final ReentrantLock lock = new ReentrantLock();
    /** The last-stream-id of the GOAWAY waiting to be sent, or NONE. */
    private final AtomicInteger pending = new AtomicInteger(NONE);
    // guarded by lock
    private boolean prefaceSent;
    private boolean inHeaderBlock;
    /** The last-stream-id of the last GOAWAY sent; a later one may only lower it (RFC 9113 section 6.8). */
    private long sent = Long.MAX_VALUE;

    GoAwayWriter(DataWriter socket) {
        this.socket = socket;
    }

    /**
     * Sends GOAWAY(NO_ERROR) with {@code lastStreamId} as soon as a frame boundary allows, unless one with a lower or
     * equal id was already asked for.
     */
    void goAway(int lastStreamId) {
        pending.accumulateAndGet(lastStreamId, (current, next) -> current == NONE ? next : Math.min(current, next));
        Thread.ofVirtual().name("tollgate-goaway").start(this::sendPendingIfFree);
    }

    @Override
    public void write(BufferData... buffers) {
        lock.lock();
        try {
            int header = buffers.length == 0 ? NONE : peek(buffers[0]);
            socket.write(buffers);
            wrote(header);
        } finally {
            lock.unlock();
        }
        sendPendingIfFree();
    }

    @Override
    public void write(BufferData buffer) {
        lock.lock();
        try {
            int header = peek(buffer);
            socket.write(buffer);
            wrote(header);
        } finally {
            lock.unlock();
        }
        sendPendingIfFree();
    }

    @Override
    public void writeNow(BufferData... buffers) {
        lock.lock();
        try {
            int header = buffers.length == 0 ? NONE : peek(buffers[0]);
            socket.writeNow(buffers);
            wrote(header);
        } finally {
            lock.unlock();
        }
        sendPendingIfFree();
    }

    @Override
    public void writeNow(BufferData buffer) {
        lock.lock();
        try {
            int header = peek(buffer);
            socket.writeNow(buffer);
            wrote(header);
        } finally {
            lock.unlock();
        }
        sendPendingIfFree();
    }

    @Override
    public void flush() {
        socket.flush();
    }

    @Override
    public void close() {
        socket.close();
    }

    /** Type and flags of the frame about to be written ({@code type << 8 | flags}), read before the write consumes it. */
    private static int peek(BufferData frame) {
        if (frame.available() < FRAME_HEADER) {
            return NONE;
        }
        return (frame.get(3) & 0xff) << 8 | frame.get(4) & 0xff;
    }

    /** Notes where the frame just written leaves the connection. */
    private void wrote(int header) {
        if (header == NONE) {
            return;
        }
        int type = header >>> 8;
        int flags = header & 0xff;
        switch (type) {
            case SETTINGS -> prefaceSent = true;
            case HEADERS, CONTINUATION -> inHeaderBlock = (flags & END_HEADERS) == 0;
            default -> {
            }
        }
    }

    private void sendPendingIfFree() {
        if (pending.get() == NONE || !lock.tryLock()) {
            return;
        }
        try {
            if (!prefaceSent || inHeaderBlock) {
                return;  // the write that ends this state sends it
            }
            int lastStreamId = pending.getAndSet(NONE);
            if (lastStreamId == NONE || lastStreamId >= sent) {
                return;
            }
            sent = lastStreamId;
            socket.writeNow(frame(lastStreamId));
        } catch (RuntimeException e) {
            // the connection is gone or going: there is nobody left to tell
        } finally {
            lock.unlock();
        }
    }

    /** GOAWAY: 9-byte frame header (length 8, type 7, no flags, stream 0), last-stream-id, error code 0 (NO_ERROR). */
    private static BufferData frame(int lastStreamId) {
        byte[] bytes = new byte[FRAME_HEADER + 8];
        bytes[2] = 8;
        bytes[3] = GOAWAY;
        bytes[9] = (byte) (lastStreamId >>> 24 & 0x7f);
        bytes[10] = (byte) (lastStreamId >>> 16);
        bytes[11] = (byte) (lastStreamId >>> 8);
        bytes[12] = (byte) lastStreamId;
        return BufferData.create(bytes);
    }
}
