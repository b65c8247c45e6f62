package io.tollgate.gateway.observe;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Writes access-log lines on a thread of its own, so a slow sink never holds a request thread. Lines wait in a
 * bounded queue; when it is full a line is dropped and counted rather than blocking traffic. The writer takes
 * whatever has queued up as one batch and flushes once per batch, so under load a flush (a system call) serves
 * many lines, and when idle each line is out at once. After a batch of more than one line the writer pauses
 * {@value #LINGER_MILLIS} ms, so under load lines reach the sink within a few milliseconds in batches and request
 * threads almost never have to wake the writer. {@link #close()} writes what is still queued.
 *
 * <p>Where lines go is {@code TOLLGATE_ACCESS_LOG}: {@code stdout} (default: bare JSON lines for a log shipper),
 * a file path (appended), {@code jul} (the {@code tollgate.access} java.util.logging logger, for setups that route
 * everything through JUL; slower: it formats and flushes per line) or {@code off}.
 */
public final class AccessLog implements AutoCloseable {
    private static final System.Logger JUL = System.getLogger(RecordFilter.ACCESS_LOGGER);
    /** End-of-log marker, compared by identity so no real line can be mistaken for it. */
    private static final String STOP = new String("stop");
    private static final int BATCH = 1024;
    /** How long the writer lets lines gather after a batch of more than one line. */
    private static final long LINGER_MILLIS = 5;

    /** Where batches of lines go. */
    private interface Sink {
        void write(List<String> lines) throws IOException;

        default void close() throws IOException {
        }
    }

    private final BlockingQueue<String> queue;
    private final LongAdder dropped = new LongAdder();
    private final Sink sink;
    private final Thread writer;

    private AccessLog(int capacity, Sink sink) {
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.sink = sink;
        this.writer = sink == null ? null
                : Thread.ofPlatform().daemon().name("tollgate-access-log").start(this::drain);
    }

    /** The access log {@code TOLLGATE_ACCESS_LOG} names; see the class comment. */
    public static AccessLog create(String target, int capacity) {
        String where = target == null || target.isBlank() ? "stdout" : target.strip();
        return switch (where) {
            case "off" -> new AccessLog(1, null);
            case "stdout" -> new AccessLog(capacity, stream(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)));
            case "jul" -> new AccessLog(capacity, lines -> lines.forEach(l -> JUL.log(System.Logger.Level.INFO, l)));
            default -> {
                try {
                    Path file = Path.of(where);
                    if (file.getParent() != null) {
                        Files.createDirectories(file.getParent());
                    }
                    yield new AccessLog(capacity, stream(Files.newBufferedWriter(file, StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND)));
                } catch (IOException e) {
                    throw new UncheckedIOException("TOLLGATE_ACCESS_LOG: cannot open " + where, e);
                }
            }
        };
    }

    private static Sink stream(Writer target) {
        BufferedWriter out = new BufferedWriter(target, 64 * 1024);
        return new Sink() {
            @Override
            public void write(List<String> lines) throws IOException {
                for (String line : lines) {
                    out.write(line);
                    out.write('\n');
                }
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    boolean enabled() {
        return sink != null;
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
        List<String> batch = new ArrayList<>(BATCH);
        boolean busy = false;
        while (true) {
            try {
                if (busy) {
                    // Under traffic, let lines gather for a moment: a request thread that queues a line while the
                    // writer waits in take() pays for waking it (a futex call); one sleeping here costs nothing.
                    Thread.sleep(LINGER_MILLIS);
                }
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, BATCH - 1);
            busy = batch.size() > 1 && batch.size() < BATCH;
            boolean stop = batch.removeIf(line -> line == STOP);
            try {
                sink.write(batch);
            } catch (IOException | RuntimeException e) {
                dropped.add(batch.size());
            }
            batch.clear();
            if (stop) {
                try {
                    sink.close();
                } catch (IOException ignored) {
                    // nothing left to tell: the process is stopping
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        if (writer == null) {
            return;
        }
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
