package io.tollgate.gateway.resilience;

/**
 * Caps retries at a share of the requests a service received over a sliding window, so that a full outage
 * multiplies upstream traffic by at most {@code 1 + ratio} instead of {@code 1 + retries}. The window is ten
 * one-second buckets. A small floor of retries per window lets a quiet service (a handful of requests) still retry
 * once; under load the ratio dominates. One budget per service per node.
 */
public final class RetryBudget {
    static final int WINDOW_SECONDS = 10;
    private static final long SECOND = 1_000_000_000L;

    private final double ratio;
    private final int floor;
    private final long[] bucketSecond = new long[WINDOW_SECONDS];
    private final long[] requests = new long[WINDOW_SECONDS];
    private final long[] retries = new long[WINDOW_SECONDS];

    public RetryBudget(double ratio, int floor) {
        if (ratio < 0 || floor < 0) {
            throw new IllegalArgumentException("ratio and floor must not be negative");
        }
        this.ratio = ratio;
        this.floor = floor;
        java.util.Arrays.fill(bucketSecond, Long.MIN_VALUE);
    }

    /** The default: retries at most 20% of requests, with a floor of 3 retries per 10 s window. */
    public static RetryBudget standard() {
        return new RetryBudget(0.2, 3);
    }

    /** Counts one request (not an attempt) to the service. */
    public synchronized void recordRequest() {
        requests[bucket(System.nanoTime())]++;
    }

    /** Takes one retry from the budget; false when the window has used its share. */
    public synchronized boolean tryRetry() {
        long now = System.nanoTime();
        int current = bucket(now);
        long second = now / SECOND;
        long requestSum = 0;
        long retrySum = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            if (bucketSecond[i] > second - WINDOW_SECONDS) {
                requestSum += requests[i];
                retrySum += retries[i];
            }
        }
        if (retrySum + 1 > Math.max(floor, (long) Math.floor(requestSum * ratio))) {
            return false;
        }
        retries[current]++;
        return true;
    }

    /** The bucket for this second, emptied first when it last held an older second. */
    private int bucket(long nanos) {
        long second = nanos / SECOND;
        int i = (int) Math.floorMod(second, WINDOW_SECONDS);
        if (bucketSecond[i] != second) {
            bucketSecond[i] = second;
            requests[i] = 0;
            retries[i] = 0;
        }
        return i;
    }
}
