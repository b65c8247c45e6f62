package io.tollgate.gateway.snapshot;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * The snapshot being served, swapped whole. Requests read {@link #current()} once at their start and keep it.
 * {@code degraded} is true while the node serves a snapshot it could not confirm with the database.
 */
public final class SnapshotHolder {
    /** Where the served snapshot came from. */
    public enum Source { NONE, DATABASE, DISK }

    private record State(Snapshot snapshot, Source source, boolean degraded) {
    }

    private final AtomicReference<State> state = new AtomicReference<>(new State(null, Source.NONE, false));
    private final LongConsumer onVersion;
    private volatile long rejectedVersion;

    public SnapshotHolder(LongConsumer onVersion) {
        this.onVersion = onVersion;
    }

    /** The snapshot to serve a new request with, or null before the first one is in place. */
    public Snapshot current() {
        return state.get().snapshot();
    }

    public Source source() {
        return state.get().source();
    }

    public boolean degraded() {
        return state.get().degraded();
    }

    public long version() {
        Snapshot snapshot = current();
        return snapshot == null ? 0 : snapshot.version();
    }

    /** The newest config version that failed to compile, or 0 when none did. */
    public long rejectedVersion() {
        return rejectedVersion;
    }

    void rejected(long version) {
        rejectedVersion = version;
    }

    void publish(Snapshot snapshot, Source source) {
        state.set(new State(snapshot, source, source == Source.DISK));
        onVersion.accept(snapshot.version());
    }

    /** The database is (un)reachable; the snapshot itself stays. */
    void degraded(boolean degraded) {
        state.updateAndGet(s -> s.degraded() == degraded ? s : new State(s.snapshot(), s.source(), degraded));
    }
}
