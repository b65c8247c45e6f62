package io.tollgate.gateway.observe;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes access-log lines on a thread of its own, so a slow log sink never holds a request thread (JUL handlers
 * lock). Lines wait in a bounded queue; when it is full the line is dropped and counted rather than blocking
 * traffic. {@link #close()} writes what is still queued.
 */
final class AccessLog implements AutoCloseable {
    private static final System.Logger ACCESS = System.getLogger(RecordFilter.ACCESS_LOGGER);
    /** End-of-log marker, compared by identity so no real line can be mistaken for it. */
    private static final String STOP = new String("stop");

    private final BlockingQueue<String> queue;
    private final LongAdder dropped = new LongAdder();
    private final Thread writer;

    AccessLog(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = Thread.ofPlatform().daemon().name("tollgate-access-log").start(this::drain);
    }

    boolean enabled() {
        return ACCESS.isLoggable(System.Logger.Level.INFO);
    }

    void write(String line) {
        if (!queue.offer(line)) {
            dropped.increment();
        }
    }

    long dropped() {
        return dropped.sum();
    }

    private void drain() {
        while (true) {
            String line;
            try {
                line = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (line == STOP) {
                return;
            }
            ACCESS.log(System.Logger.Level.INFO, line);
        }
    }

    @Override
    public void close() {
        try {
            // behind every line already queued; give up after a while rather than hang a shutdown
            if (queue.offer(STOP, 2, TimeUnit.SECONDS)) {
                writer.join(5_000);
            } else {
                writer.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
