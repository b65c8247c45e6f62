package io.tollgate.gateway.snapshot;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A service's targets with their weights and timeouts. {@link #next()} is weighted round robin: a shared counter
 * walks the cumulative weights, so over {@code sum(weights)} picks each target is chosen {@code weight} times.
 * The counter belongs to the snapshot; a new snapshot starts over, which is harmless.
 */
public final class UpstreamPool {
    /** One upstream: where to connect, the path prefix to put before the forwarded path, and its label. */
    public record Target(String scheme, String host, int port, String basePath, String url, int weight) {
    }

    private final UUID serviceId;
    private final String serviceName;
    private final List<Target> targets;
    private final long[] cumulative;
    private final long totalWeight;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int retries;
    private final ResilienceSpec resilience;
    private final AtomicLong counter = new AtomicLong();

    public UpstreamPool(String serviceName, List<Target> targets, Duration connectTimeout, Duration readTimeout,
                        int retries) {
        this(UUID.nameUUIDFromBytes(serviceName.getBytes(java.nio.charset.StandardCharsets.UTF_8)), serviceName,
                targets, connectTimeout, readTimeout, retries, ResilienceSpec.DEFAULTS);
    }

    public UpstreamPool(UUID serviceId, String serviceName, List<Target> targets, Duration connectTimeout,
                        Duration readTimeout, int retries, ResilienceSpec resilience) {
        this.serviceId = serviceId;
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("service " + serviceName + " has no targets");
        }
        this.serviceName = serviceName;
        this.targets = List.copyOf(targets);
        this.cumulative = new long[targets.size()];
        long sum = 0;
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).weight() <= 0) {
                throw new IllegalArgumentException("service " + serviceName + " has a target with weight <= 0");
            }
            sum += targets.get(i).weight();
            cumulative[i] = sum;
        }
        this.totalWeight = sum;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.retries = retries;
        this.resilience = resilience;
    }

    /** Parses a target URL such as {@code http://10.0.0.5:8080/base}; only http is supported for now. */
    public static Target target(String url, int weight) {
        URI uri = URI.create(url);
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("target URL must be http://host[:port][/path]");
        }
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        String base = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new Target("http", uri.getHost(), port, base, url, weight);
    }

    public Target next() {
        return targets.get(nextIndex());
    }

    private int nextIndex() {
        if (targets.size() == 1) {
            return 0;
        }
        long slot = Math.floorMod(counter.getAndIncrement(), totalWeight);
        int i = Arrays.binarySearch(cumulative, slot + 1);
        return i >= 0 ? i : -i - 1;
    }

    /**
     * The round-robin pick when {@code acceptable} accepts it, else the first acceptable target after it in list
     * order; null when it accepts none. At most one test per target.
     */
    public Target next(Predicate<Target> acceptable) {
        int start = nextIndex();
        for (int i = 0; i < targets.size(); i++) {
            Target candidate = targets.get((start + i) % targets.size());
            if (acceptable.test(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    public UUID serviceId() {
        return serviceId;
    }

    public String serviceName() {
        return serviceName;
    }

    public List<Target> targets() {
        return targets;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public int retries() {
        return retries;
    }

    public ResilienceSpec resilience() {
        return resilience;
    }
}
