package io.tollgate.gateway.snapshot;

import io.tollgate.db.Database;
import io.tollgate.db.snapshot.ConfigChangeListener;
import io.tollgate.db.snapshot.ConfigSnapshot;
import io.tollgate.db.snapshot.ConfigSnapshotReader;
import io.tollgate.db.store.ConfigStateStore;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * Keeps the {@link SnapshotHolder} on the newest config version. One background thread: wait for a
 * notification on {@code tollgate_config} (or the poll interval), read {@code config_state.version}, and when it
 * moved load, compile and publish the whole config. A version that does not compile is logged and skipped until
 * the version moves again; the node keeps serving the last good snapshot. When the database is unreachable the
 * holder is marked degraded and the thread retries every poll interval.
 */
public final class SnapshotPoller implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SnapshotPoller.class.getName());

    private final Database database;
    private final SnapshotHolder holder;
    private final SnapshotFile file;
    private final Duration pollInterval;
    private final boolean listen;
    private volatile boolean running;
    private volatile ConfigChangeListener listener;
    private Thread thread;
    private long rejectedVersion = -1;
    private boolean reportedUnreachable;

    public SnapshotPoller(Database database, SnapshotHolder holder, Path snapshotFile, Duration pollInterval,
                          boolean listen) {
        this.database = database;
        this.holder = holder;
        this.file = new SnapshotFile(snapshotFile);
        this.pollInterval = pollInterval;
        this.listen = listen;
    }

    /**
     * Loads the first snapshot (from the database, else from the disk file) and starts watching. Returns even
     * when neither worked: the node then reports not ready until the database answers.
     */
    public synchronized void start() {
        // The disk copy also covers a reachable database whose current version does not compile.
        if (!refresh() || holder.current() == null) {
            loadFromDisk();
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("tollgate-snapshot-poller").start(this::watch);
    }

    private void loadFromDisk() {
        Optional<ConfigSnapshot> saved = file.read();
        if (saved.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "no database and no snapshot file at " + file.path()
                    + ": not ready until the database answers");
            return;
        }
        try {
            holder.publish(SnapshotCompiler.compile(saved.get()), SnapshotHolder.Source.DISK);
            LOG.log(System.Logger.Level.WARNING, "serving config version " + saved.get().version()
                    + " from " + file.path() + " while the database is unreachable");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the snapshot file " + file.path() + " does not compile: " + e.getMessage());
        }
    }

    private void watch() {
        while (running) {
            try {
                if (listen && listener == null) {
                    listener = ConfigChangeListener.open(database);
                    // a change may have landed between the last read and LISTEN taking effect
                    refresh();
                }
                if (listener != null) {
                    listener.awaitChange(pollInterval);
                } else {
                    Thread.sleep(pollInterval);
                }
                if (running) {
                    refresh();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                closeListener();
                holder.degraded(true);
                if (running) {
                    reportUnreachable(e);
                    sleepQuietly();
                }
            }
        }
    }

    /** Loads the config when its version moved; false when the database could not be reached. */
    boolean refresh() {
        long version;
        try {
            version = new ConfigStateStore(database.dsl()).version();
        } catch (RuntimeException e) {
            holder.degraded(true);
            reportUnreachable(e);
            return false;
        }
        if (reportedUnreachable) {
            LOG.log(System.Logger.Level.INFO, "the database answers again");
            reportedUnreachable = false;
        }
        if (version == holder.version() && holder.source() == SnapshotHolder.Source.DATABASE) {
            holder.degraded(false);
            return true;
        }
        if (version == rejectedVersion) {
            holder.degraded(false);
            return true;
        }
        ConfigSnapshot config;
        try {
            config = new ConfigSnapshotReader(database.dsl()).read();
        } catch (RuntimeException e) {
            holder.degraded(true);
            reportUnreachable(e);
            return false;
        }
        Snapshot snapshot;
        try {
            snapshot = SnapshotCompiler.compile(config);
        } catch (RuntimeException e) {
            rejectedVersion = config.version();
            holder.rejected(config.version());
            holder.degraded(false);
            LOG.log(System.Logger.Level.ERROR, "config version " + config.version() + " rejected, still serving "
                    + holder.version() + ": " + e.getMessage());
            return true;
        }
        holder.publish(snapshot, SnapshotHolder.Source.DATABASE);
        LOG.log(System.Logger.Level.INFO, "serving config version " + snapshot.version() + " ("
                + snapshot.routes().size() + " routes, " + snapshot.keysByPublicId().size() + " keys)");
        file.write(config);
        return true;
    }

    private void reportUnreachable(Exception e) {
        if (!reportedUnreachable) {
            reportedUnreachable = true;
            LOG.log(System.Logger.Level.WARNING, "the database is unreachable, serving config version "
                    + holder.version() + ": " + e.getMessage());
        }
    }

    private void sleepQuietly() {
        try {
            Thread.sleep(pollInterval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void closeListener() {
        ConfigChangeListener current = listener;
        listener = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            closeListener();
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
