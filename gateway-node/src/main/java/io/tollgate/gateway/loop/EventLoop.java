package io.tollgate.gateway.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One selector thread: it waits for readiness on the channels registered with it, runs their {@link Handler}s, the
 * tasks other threads hand it ({@link #execute}) and its own timers ({@link #schedule}). Everything registered
 * with a loop is touched by that loop's thread alone, so connection state needs no locks; a handler must never
 * block (no blocking I/O, no sleeping, no waiting on locks another thread holds for long).
 *
 * <p>Channels given up to blocking code (a connection handed over to Helidon) must first leave the selector: a
 * cancelled key is only gone after the next selection, so {@link #release} runs its callback after one.
 */
public final class EventLoop implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());

    /** What a registered channel does when it is ready. */
    public interface Handler {
        void ready(SelectionKey key);
    }

    /** A pending timer; {@link #cancel()} before it fired makes it a no-op. */
    public static final class Timer implements Comparable<Timer> {
        private final long due;
        private final Runnable action;
        private final long sequence;
        private boolean cancelled;

        private Timer(long due, Runnable action, long sequence) {
            this.due = due;
            this.action = action;
            this.sequence = sequence;
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer other) {
            int byDue = Long.compare(due - other.due, 0);
            return byDue != 0 ? byDue : Long.compare(sequence, other.sequence);
        }
    }

    private final Selector selector;
    private final Thread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private static final Runnable[] NONE = new Runnable[0];
    private final ArrayDeque<Runnable> afterSelect = new ArrayDeque<>();
    /** In the order owned; a set, so that disowning one of many connections is not a scan of them all. */
    private final Set<AutoCloseable> closeables = new LinkedHashSet<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private long timerSequence;
    private volatile boolean running = true;

    public EventLoop(String name) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
        thread.start();
    }

    /** True when called on this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on the loop thread, soon. From any thread. */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Registers {@code channel} (non-blocking) with this loop; loop thread only. */
    public SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws ClosedChannelException {
        return channel.register(selector, ops, handler);
    }

    /** Runs {@code action} on the loop thread after {@code delayNanos}; loop thread only. */
    public Timer schedule(long delayNanos, Runnable action) {
        Timer timer = new Timer(System.nanoTime() + delayNanos, action, timerSequence++);
        timers.add(timer);
        return timer;
    }

    /**
     * Cancels {@code key} and runs {@code then} once its channel is no longer registered (after the next
     * selection): then the channel may be put into blocking mode. Loop thread only.
     */
    public void release(SelectionKey key, Runnable then) {
        key.cancel();
        afterSelect.add(then);
    }

    /** Closes {@code closeable} when the loop stops (what the loop owns: connections, pools). Loop thread only. */
    public void own(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    public void disown(AutoCloseable closeable) {
        closeables.remove(closeable);
    }

    private void run() {
        try {
            while (running) {
                runTasks();
                long timeoutMillis = runTimers();
                // released before this selection: their keys are gone once it returned
                Runnable[] released = afterSelect.isEmpty() ? NONE : afterSelect.toArray(NONE);
                afterSelect.clear();
                if (released.length > 0 || !tasks.isEmpty()) {
                    selector.selectNow();
                } else if (timeoutMillis < 0) {
                    selector.select();
                } else {
                    selector.select(Math.max(1, timeoutMillis));
                }
                wakeupPending.set(false);
                Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
                while (selected.hasNext()) {
                    SelectionKey key = selected.next();
                    selected.remove();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        ((Handler) key.attachment()).ready(key);
                    } catch (RuntimeException | Error e) {
                        // whatever one connection's handler threw, the loop serves the others on
                        LOG.log(System.Logger.Level.ERROR, "event-loop handler failed", e);
                        closeQuietly(key.channel());
                        if (key.attachment() instanceof AutoCloseable owner) {
                            closeQuietly(owner);
                        }
                    }
                }
                for (Runnable then : released) {
                    safely(then);
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            if (running) {
                LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName() + " stopped", e);
            }
        } finally {
            for (AutoCloseable closeable : new ArrayList<>(closeables)) {
                closeQuietly(closeable);
            }
            closeQuietly(selector);
            stopped.countDown();
        }
    }

    private void runTasks() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            safely(task);
        }
    }

    /** Fires due timers; returns milliseconds until the next one, or -1 when there is none. */
    private long runTimers() {
        long now = System.nanoTime();
        for (Timer timer = timers.peek(); timer != null; timer = timers.peek()) {
            if (timer.cancelled) {
                timers.poll();
                continue;
            }
            long wait = timer.due - now;
            if (wait > 0) {
                return TimeUnit.NANOSECONDS.toMillis(wait) + 1;
            }
            timers.poll();
            safely(timer.action);
        }
        return -1;
    }

    /** Whether the loop was told to stop: timers, tasks and readiness no longer run (loop thread: it is ending). */
    boolean stopping() {
        return !running;
    }

    private static void safely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "event-loop task failed", e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing: nothing more to do with it
        }
    }

    /** Stops the loop and closes what it owns; waits up to a second for the thread to finish. */
    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            stopped.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
