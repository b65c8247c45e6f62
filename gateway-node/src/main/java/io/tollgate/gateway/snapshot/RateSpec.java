package io.tollgate.gateway.snapshot;

/** A token bucket: {@code perSecond} refill with room for {@code burst}. */
public record RateSpec(int perSecond, int burst) {
    public RateSpec {
        if (perSecond <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
    }
}
