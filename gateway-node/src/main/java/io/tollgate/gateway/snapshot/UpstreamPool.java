package io.tollgate.gateway.snapshot;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * A service's targets with their weights, timeouts and resilience settings, and how a target is picked
 * ({@link #pick}). Weighted round robin: a shared counter walks the cumulative weights, so over
 * {@code sum(weights)} picks each target is chosen {@code weight} times; the counter belongs to the snapshot and a
 * new snapshot starts over, which is harmless. Least in flight: the lowest {@code inFlight / weight}. Consistent
 * hash: a ring of points per target (more for heavier targets) built once here, walked clockwise from the key's
 * hash. A target of weight 0 is drained: never picked.
 */
public final class UpstreamPool {
    /**
     * Which HTTP version the node speaks to a service's targets (column {@code services.protocol}); whether TLS is
     * spoken is the target URL's scheme. HTTP/1.1 ({@code http1}, over TLS with an https target); HTTP/2 without
     * TLS with prior knowledge ({@code h2c}, http targets only); HTTP/2 over TLS with ALPN h2 ({@code h2}, https
     * targets only); {@code grpc} is HTTP/2 whose answers end with gRPC trailers, h2c for http targets and TLS with
     * ALPN h2 for https ones.
     */
    public enum Protocol {
        HTTP1, H2C, H2, GRPC;

        public static Protocol of(String value) {
            return switch (value == null ? "http1" : value) {
                case "http1" -> HTTP1;
                case "h2c" -> H2C;
                case "h2" -> H2;
                case "grpc" -> GRPC;
                default -> throw new IllegalArgumentException("unknown protocol " + value);
            };
        }

        /** True when requests go over HTTP/2 (h2c prior knowledge, or ALPN h2 over TLS). */
        public boolean http2() {
            return this != HTTP1;
        }
    }

    /**
     * One upstream: where to connect, the path prefix to put before the forwarded path, and its label. The scheme
     * is {@code http} or {@code https} (then TLS to {@code host}, which is also the name verified and sent as SNI).
     */
    public record Target(String scheme, String host, int port, String basePath, String url, int weight) {
        /** Whether connections to this target speak TLS. */
        public boolean tls() {
            return "https".equals(scheme);
        }

        /** {@code host[:port]} as the Host header or :authority, the port left out when it is the scheme's default. */
        public String authority() {
            return port == (tls() ? 443 : 80) ? host : host + ":" + port;
        }
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
    private final Ring ring;
    private final Protocol protocol;

    public UpstreamPool(String serviceName, List<Target> targets, Duration connectTimeout, Duration readTimeout,
                        int retries) {
        this(UUID.nameUUIDFromBytes(serviceName.getBytes(java.nio.charset.StandardCharsets.UTF_8)), serviceName,
                targets, connectTimeout, readTimeout, retries, ResilienceSpec.DEFAULTS);
    }

    public UpstreamPool(UUID serviceId, String serviceName, List<Target> targets, Duration connectTimeout,
                        Duration readTimeout, int retries, ResilienceSpec resilience) {
        this(serviceId, serviceName, targets, connectTimeout, readTimeout, retries, resilience, Protocol.HTTP1);
    }

    public UpstreamPool(UUID serviceId, String serviceName, List<Target> targets, Duration connectTimeout,
                        Duration readTimeout, int retries, ResilienceSpec resilience, Protocol protocol) {
        this.serviceId = serviceId;
        this.protocol = protocol;
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("service " + serviceName + " has no targets");
        }
        this.serviceName = serviceName;
        this.targets = List.copyOf(targets);
        this.cumulative = new long[targets.size()];
        long sum = 0;
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).weight() < 0) {
                throw new IllegalArgumentException("service " + serviceName + " has a target with weight < 0");
            }
            sum += targets.get(i).weight();
            cumulative[i] = sum;
        }
        this.totalWeight = sum;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.retries = retries;
        this.resilience = resilience;
        this.ring = Ring.of(this.targets);
        for (Target t : this.targets) {
            // the admin API refuses these; a snapshot that has one anyway is not half-applied
            if (protocol == Protocol.H2 && !t.tls()) {
                throw new IllegalArgumentException("service " + serviceName + ": protocol h2 needs https targets");
            }
            if (protocol == Protocol.H2C && t.tls()) {
                throw new IllegalArgumentException("service " + serviceName + ": protocol h2c needs http targets");
            }
        }
    }

    /** Parses a target URL such as {@code http://10.0.0.5:8080/base} or {@code https://orders.internal/base}. */
    public static Target target(String url, int weight) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("target URL must be http(s)://host[:port][/path]");
        }
        boolean tls = scheme.equals("https");
        int port = uri.getPort() == -1 ? (tls ? 443 : 80) : uri.getPort();
        String base = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return new Target(tls ? "https" : "http", uri.getHost(), port, base, url, weight);
    }

    /** The next target by weighted round robin; null when every target is drained (weight 0). */
    public Target next() {
        int i = nextIndex();
        return i < 0 ? null : targets.get(i);
    }

    private int nextIndex() {
        if (totalWeight == 0) {
            return -1;
        }
        if (targets.size() == 1) {
            return 0;
        }
        long slot = Math.floorMod(counter.getAndIncrement(), totalWeight) + 1;
        int i = Arrays.binarySearch(cumulative, slot);
        i = i >= 0 ? i : -i - 1;
        // zero weights repeat a cumulative value: the owner of the slot is the first index reaching it
        while (i > 0 && cumulative[i - 1] >= slot) {
            i--;
        }
        return i;
    }

    /**
     * The round-robin pick when {@code acceptable} accepts it, else the first acceptable target after it in list
     * order; null when it accepts none. At most one test per target; drained targets are never offered.
     */
    public Target next(Predicate<Target> acceptable) {
        int start = nextIndex();
        if (start < 0) {
            return null;
        }
        for (int i = 0; i < targets.size(); i++) {
            Target candidate = targets.get((start + i) % targets.size());
            if (candidate.weight() > 0 && acceptable.test(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * A target by this service's load-balancing policy among those {@code acceptable} accepts (it is asked at most
     * once per target, in order of preference, and the first it accepts is the answer), or null.
     *
     * @param hashKey  the consistent-hash key, or null (then round robin)
     * @param inFlight requests in flight per target, for least in flight
     */
    public Target pick(String hashKey, Predicate<Target> acceptable, ToIntFunction<Target> inFlight) {
        return switch (resilience.lbPolicy()) {
            case ROUND_ROBIN -> next(acceptable);
            case LEAST_IN_FLIGHT -> leastInFlight(acceptable, inFlight);
            case CONSISTENT_HASH -> hashKey == null ? next(acceptable) : ring.walk(hashKey, acceptable);
        };
    }

    private Target leastInFlight(Predicate<Target> acceptable, ToIntFunction<Target> inFlight) {
        int start = nextIndex();
        if (start < 0) {
            return null;
        }
        // candidates from the round-robin start, so that ties spread instead of always hitting the first target
        List<Target> order = new java.util.ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get((start + i) % targets.size());
            if (t.weight() > 0) {
                order.add(t);
            }
        }
        // read each count once: they move while we sort
        java.util.Map<Target, Integer> load = new java.util.HashMap<>();
        for (Target t : order) {
            load.put(t, inFlight.applyAsInt(t));
        }
        // inFlight(a) / weight(a) < inFlight(b) / weight(b), compared without division; stable for ties
        order.sort((a, b) -> Long.compare((long) load.get(a) * b.weight(), (long) load.get(b) * a.weight()));
        for (Target t : order) {
            if (acceptable.test(t)) {
                return t;
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

    public Protocol protocol() {
        return protocol;
    }

    /** The consistent-hash ring: sorted points, each owned by a target. */
    private record Ring(long[] points, Target[] owners) {
        /** Points per unit of weight share: about 160 per target of average weight. */
        private static final int POINTS_PER_TARGET = 160;

        static Ring of(List<Target> targets) {
            long total = targets.stream().mapToLong(Target::weight).sum();
            java.util.TreeMap<Long, Target> ring = new java.util.TreeMap<>();
            for (Target t : targets) {
                if (t.weight() == 0) {
                    continue;
                }
                long count = Math.max(1, POINTS_PER_TARGET * targets.size() * t.weight() / Math.max(1, total));
                for (int i = 0; i < count; i++) {
                    ring.putIfAbsent(hash(t.url() + "#" + i), t);
                }
            }
            long[] points = new long[ring.size()];
            Target[] owner = new Target[ring.size()];
            int i = 0;
            for (var e : ring.entrySet()) {
                points[i] = e.getKey();
                owner[i++] = e.getValue();
            }
            return new Ring(points, owner);
        }

        /** The targets met walking clockwise from the key's point, each offered once, until one is accepted. */
        Target walk(String key, Predicate<Target> acceptable) {
            if (points.length == 0) {
                return null;
            }
            int i = Arrays.binarySearch(points, hash(key));
            i = i >= 0 ? i : -i - 1;
            java.util.Set<Target> offered = new java.util.HashSet<>();
            for (int n = 0; n < points.length; n++) {
                Target t = owners[(i + n) % points.length];
                if (offered.add(t) && acceptable.test(t)) {
                    return t;
                }
            }
            return null;
        }

        /** 64-bit FNV-1a over UTF-16 units, then the SplitMix64 finaliser to spread nearby keys. */
        static long hash(String value) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < value.length(); i++) {
                h ^= value.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= h >>> 30;
            h *= 0xbf58476d1ce4e5b9L;
            h ^= h >>> 27;
            h *= 0x94d049bb133111ebL;
            return h ^ (h >>> 31);
        }
    }
}
