package io.tollgate.gateway.usage;

import io.tollgate.db.model.UsageMinute;

/**
 * The fixed latency histogram of {@code usage_rollups.latency_buckets}: element {@code i} counts requests whose
 * total time (request received to response written) was at most {@code BOUNDS_MS[i]} milliseconds and more than
 * the bound before it; the last element counts the rest (over 10 s). The bounds are those of the
 * {@code tollgate_request_duration_seconds} metric; they never change, since stored rows are added to.
 */
public final class LatencyBuckets {
    /** Upper bounds in milliseconds, inclusive: the one definition the console's dashboard reads too. */
    static final long[] BOUNDS_MS = UsageMinute.LATENCY_BOUNDS_MS.stream().mapToLong(Integer::longValue).toArray();
    /** Elements per histogram: one per bound plus the overflow. */
    public static final int COUNT = BOUNDS_MS.length + 1;

    private LatencyBuckets() {
    }

    static int index(long nanos) {
        int i = 0;
        while (i < BOUNDS_MS.length && nanos > BOUNDS_MS[i] * 1_000_000L) {
            i++;
        }
        return i;
    }
}
