package io.tollgate.gateway.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a GOAWAY may go between the frames Helidon writes, seen on the bytes that reach the socket. A GOAWAY is sent
 * from a thread of its own when the connection is free, or right after the write that frees it: after a write
 * returns, nothing is left pending unless the connection is still not free.
 */
class GoAwayWriterTest {
    private static final int HEADERS = 0x1;
    private static final int SETTINGS = 0x4;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_HEADERS = 0x4;

    /** What reached the socket: one entry per write, as "type" or "GOAWAY(last)". */
    private final List<String> socket = new CopyOnWriteArrayList<>();
    private final GoAwayWriter writer = new GoAwayWriter(new DataWriter() {
        @Override
        public void write(BufferData... buffers) {
            writeNow(BufferData.create(buffers));
        }

        @Override
        public void write(BufferData buffer) {
            writeNow(buffer);
        }

        @Override
        public void writeNow(BufferData... buffers) {
            writeNow(BufferData.create(buffers));
        }

        @Override
        public void writeNow(BufferData buffer) {
            byte[] bytes = new byte[buffer.available()];
            buffer.read(bytes);
            ByteBuffer frame = ByteBuffer.wrap(bytes);
            int type = bytes[3];
            socket.add(type == GOAWAY ? "GOAWAY(" + (frame.getInt(9) & 0x7fffffff) + "," + frame.getInt(13) + ")"
                    : Integer.toString(type));
        }
    });

    private static BufferData frame(int type, int flags, int streamId, int payloadLength) {
        ByteBuffer frame = ByteBuffer.allocate(9 + payloadLength);
        frame.put((byte) 0).put((byte) 0).put((byte) payloadLength).put((byte) type).put((byte) flags).putInt(streamId);
        return BufferData.create(frame.array());
    }

    /** Waits (10 s at most, a liveness bound) until the socket has seen {@code expected}, then checks it exactly. */
    private void awaitSocket(String... expected) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (socket.size() < expected.length && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(socket).containsExactly(expected);
    }

    @Test
    void goAwayWaitsForTheServersSettingsThenFollowsThem() {
        writer.goAway(Integer.MAX_VALUE);
        assertThat(socket).isEmpty();

        writer.writeNow(frame(SETTINGS, 0, 0, 6));

        assertThat(socket).containsExactly("4", "GOAWAY(2147483647,0)");
    }

    @Test
    void goAwayOnAnIdleConnectionGoesOutWithoutWaitingForAWrite() throws Exception {
        writer.writeNow(frame(SETTINGS, 0, 0, 0));

        writer.goAway(0);

        awaitSocket("4", "GOAWAY(0,0)");
    }

    @Test
    void goAwayNeverSplitsAHeaderBlock() {
        writer.writeNow(frame(SETTINGS, 0, 0, 0));
        writer.writeNow(frame(HEADERS, 0, 3, 10));      // no END_HEADERS: CONTINUATION must follow at once

        writer.goAway(3);
        writer.writeNow(frame(CONTINUATION, 0, 3, 10));
        assertThat(socket).containsExactly("4", "1", "9");

        writer.writeNow(frame(CONTINUATION, END_HEADERS, 3, 10));
        assertThat(socket).containsExactly("4", "1", "9", "9", "GOAWAY(3,0)");
    }

    @Test
    void aLaterGoAwayMayLowerTheLastStreamIdButNeverRaiseIt() throws Exception {
        writer.writeNow(frame(SETTINGS, 0, 0, 0));
        writer.goAway(Integer.MAX_VALUE);
        awaitSocket("4", "GOAWAY(2147483647,0)");
        writer.goAway(5);
        awaitSocket("4", "GOAWAY(2147483647,0)", "GOAWAY(5,0)");

        writer.goAway(7);
        writer.writeNow(frame(0x0, 0, 1, 4));  // a DATA frame: after it nothing is pending

        assertThat(socket).containsExactly("4", "GOAWAY(2147483647,0)", "GOAWAY(5,0)", "0");
    }
}
