package io.tollgate.gateway.observe;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The gateway's Prometheus metrics, written by hand in the text exposition format: counters are LongAdders keyed
 * by label values, histograms keep cumulative bucket counts. Label values are tenant slugs and route names from
 * the snapshot (bounded by the config), never anything a client can invent.
 */
public final class GatewayMetrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private record RequestLabels(String tenant, String route, String statusClass) {
    }

    private record RouteLabels(String tenant, String route) {
    }

    private record GrpcLabels(String tenant, String route, String service, String method, String status) {
    }

    /** Distinct gRPC (service, method) pairs counted per route; calls to further methods count as "other". */
    static final int GRPC_METHODS_PER_ROUTE = 64;
    private static final java.util.regex.Pattern GRPC_PATH =
            java.util.regex.Pattern.compile("/([A-Za-z_][A-Za-z0-9_.]{0,127})/([A-Za-z_][A-Za-z0-9_]{0,127})");

    private final ConcurrentHashMap<GrpcLabels, LongAdder> grpcCalls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RouteLabels, java.util.Set<String>> grpcMethods = new ConcurrentHashMap<>();

    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};
    private final ConcurrentHashMap<RequestLabels, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RouteLabels, Histogram> durations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<RouteLabels, Histogram> upstreamDurations = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> rateLimited = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> quotaExceeded = new ConcurrentHashMap<>();
    private volatile LongSupplier usageFlushFailures = () -> 0;
    private volatile LongSupplier usageDropped = () -> 0;
    private final AtomicLong configVersion = new AtomicLong();
    private volatile LongSupplier accessLogDropped = () -> 0;
    private volatile java.util.function.Supplier<String> upstreamHealth = () -> "";
    private volatile java.util.function.Supplier<String> cache = () -> "";
    private volatile java.util.function.Supplier<String> tls = () -> "";
    private volatile java.util.function.Supplier<String> webSocket = () -> "";

    void request(String tenant, String route, int status, double seconds, double upstreamSeconds) {
        String statusClass = status >= 100 && status < 600 ? STATUS_CLASSES[status / 100] : (status / 100) + "xx";
        requests.computeIfAbsent(new RequestLabels(tenant, route, statusClass), k -> new LongAdder()).increment();
        durations.computeIfAbsent(new RouteLabels(tenant, route), k -> new Histogram()).observe(seconds);
        if (upstreamSeconds >= 0) {
            upstreamDurations.computeIfAbsent(new RouteLabels(tenant, route), k -> new Histogram()).observe(upstreamSeconds);
        }
    }

    /**
     * Counts a gRPC call by its service, method and grpc-status. The path is the client's, so the labels are kept
     * bounded: only a matched route's calls are counted (the caller passes them), a path that is not
     * {@code /package.Service/Method} is "other", at most {@link #GRPC_METHODS_PER_ROUTE} distinct methods are named
     * per route, and the status is one of gRPC's 17 codes or "none" (no grpc-status arrived: broken off). Only a
     * call that reached the upstream may claim one of those method names: the gateway's own refusals (no key, rate
     * limited) are counted under a name already claimed or as "other", so callers without a key cannot use up the
     * route's names with invented methods.
     */
    void grpcCall(String tenant, String route, String path, String grpcStatus, boolean reachedUpstream) {
        String service = "other";
        String method = "other";
        java.util.regex.Matcher m = GRPC_PATH.matcher(path);
        if (m.matches()) {
            java.util.Set<String> seen = grpcMethods.computeIfAbsent(new RouteLabels(tenant, route),
                    k -> ConcurrentHashMap.newKeySet());
            String pair = m.group(1) + "/" + m.group(2);
            if (seen.contains(pair) || (reachedUpstream && seen.size() < GRPC_METHODS_PER_ROUTE && seen.add(pair))) {
                service = m.group(1);
                method = m.group(2);
            }
        }
        String status = "none";
        if (grpcStatus != null && !grpcStatus.isEmpty()) {
            try {
                int code = Integer.parseInt(grpcStatus.trim());
                status = code >= 0 && code <= 16 ? Integer.toString(code) : "other";
            } catch (NumberFormatException e) {
                status = "other";
            }
        }
        grpcCalls.computeIfAbsent(new GrpcLabels(tenant, route, service, method, status), k -> new LongAdder())
                .increment();
    }

    void rateLimited(String tenant) {
        rateLimited.computeIfAbsent(tenant, k -> new LongAdder()).increment();
    }

    void quotaExceeded(String tenant) {
        quotaExceeded.computeIfAbsent(tenant, k -> new LongAdder()).increment();
    }

    /** Where the usage flusher's failed flushes and dropped rollups are counted. */
    public void usageFlush(LongSupplier failures, LongSupplier dropped) {
        this.usageFlushFailures = failures;
        this.usageDropped = dropped;
    }

    void accessLogDropped(LongSupplier dropped) {
        this.accessLogDropped = dropped;
    }

    /** Metrics of upstream target health, rendered after the others (io.tollgate.gateway.resilience). */
    public void upstreamHealth(java.util.function.Supplier<String> section) {
        this.upstreamHealth = section;
    }

    /** Metrics of the response cache, rendered last (io.tollgate.gateway.cache). */
    public void cache(java.util.function.Supplier<String> section) {
        this.cache = section;
    }

    /** Metrics of the HTTPS listener's certificate, rendered after the cache's (io.tollgate.gateway.tls). */
    public void tls(java.util.function.Supplier<String> section) {
        this.tls = section;
    }

    /** Metrics of WebSocket pass-through, rendered after the cache's (io.tollgate.gateway.ws). */
    public void webSocket(java.util.function.Supplier<String> section) {
        this.webSocket = section;
    }

    public void configVersion(long version) {
        configVersion.set(version);
    }

    /** The whole exposition, sorted so consecutive scrapes diff cleanly. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP tollgate_requests_total Requests answered, by tenant, route and status class.\n");
        out.append("# TYPE tollgate_requests_total counter\n");
        sorted(requests).forEach((labels, count) -> out.append("tollgate_requests_total{tenant=\"")
                .append(escape(labels.tenant())).append("\",route=\"").append(escape(labels.route()))
                .append("\",status_class=\"").append(labels.statusClass()).append("\"} ").append(count.sum())
                .append('\n'));
        histogram(out, "tollgate_request_duration_seconds", "Time from request to response completion.", durations);
        histogram(out, "tollgate_upstream_duration_seconds", "Time from forwarding to the upstream's response headers.",
                upstreamDurations);
        out.append("# HELP tollgate_grpc_calls_total gRPC calls of matched routes, by gRPC service, method and "
                + "grpc-status (\"none\": broken off without one).\n");
        out.append("# TYPE tollgate_grpc_calls_total counter\n");
        sorted(grpcCalls).forEach((labels, count) -> out.append("tollgate_grpc_calls_total{tenant=\"")
                .append(escape(labels.tenant())).append("\",route=\"").append(escape(labels.route()))
                .append("\",grpc_service=\"").append(escape(labels.service()))
                .append("\",grpc_method=\"").append(escape(labels.method()))
                .append("\",grpc_status=\"").append(labels.status()).append("\"} ").append(count.sum())
                .append('\n'));
        out.append("# HELP tollgate_rate_limited_total Requests refused by a rate limit, by tenant.\n");
        out.append("# TYPE tollgate_rate_limited_total counter\n");
        new TreeMap<>(rateLimited).forEach((tenant, count) -> out.append("tollgate_rate_limited_total{tenant=\"")
                .append(escape(tenant)).append("\"} ").append(count.sum()).append('\n'));
        out.append("# HELP tollgate_quota_exceeded_total Requests refused because a quota was spent, by tenant.\n");
        out.append("# TYPE tollgate_quota_exceeded_total counter\n");
        new TreeMap<>(quotaExceeded).forEach((tenant, count) -> out.append("tollgate_quota_exceeded_total{tenant=\"")
                .append(escape(tenant)).append("\"} ").append(count.sum()).append('\n'));
        out.append("# HELP tollgate_usage_flush_failures_total Usage flushes that failed (the batch is retried).\n");
        out.append("# TYPE tollgate_usage_flush_failures_total counter\n");
        out.append("tollgate_usage_flush_failures_total ").append(usageFlushFailures.getAsLong()).append('\n');
        out.append("# HELP tollgate_usage_dropped_total Usage rollups dropped while the database was unreachable.\n");
        out.append("# TYPE tollgate_usage_dropped_total counter\n");
        out.append("tollgate_usage_dropped_total ").append(usageDropped.getAsLong()).append('\n');
        out.append("# HELP tollgate_config_version Config version of the snapshot being served.\n");
        out.append("# TYPE tollgate_config_version gauge\n");
        out.append("tollgate_config_version ").append(configVersion.get()).append('\n');
        out.append("# HELP tollgate_access_log_dropped_total Access-log lines dropped because the writer fell behind.\n");
        out.append("# TYPE tollgate_access_log_dropped_total counter\n");
        out.append("tollgate_access_log_dropped_total ").append(accessLogDropped.getAsLong()).append('\n');
        out.append(upstreamHealth.get());
        out.append(cache.get());
        out.append(tls.get());
        out.append(webSocket.get());
        return out.toString();
    }

    private static void histogram(StringBuilder out, String name, String help, Map<RouteLabels, Histogram> series) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        sorted(series).forEach((labels, h) -> {
            String base = "tenant=\"" + escape(labels.tenant()) + "\",route=\"" + escape(labels.route()) + "\"";
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += h.buckets[i].sum();
                out.append(name).append("_bucket{").append(base).append(",le=\"").append(format(BUCKETS[i]))
                        .append("\"} ").append(cumulative).append('\n');
            }
            cumulative += h.buckets[BUCKETS.length].sum();
            out.append(name).append("_bucket{").append(base).append(",le=\"+Inf\"} ").append(cumulative).append('\n');
            out.append(name).append("_sum{").append(base).append("} ").append(h.sum.sum()).append('\n');
            out.append(name).append("_count{").append(base).append("} ").append(cumulative).append('\n');
        });
    }

    private static <K extends Record, V> Map<K, V> sorted(Map<K, V> map) {
        TreeMap<K, V> sorted = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        sorted.putAll(map);
        return sorted;
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, "%s", value);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** Non-cumulative counts per bucket (the last one is +Inf); made cumulative when rendered. */
    private static final class Histogram {
        private final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
        private final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            buckets[i].increment();
            sum.add(seconds);
        }
    }
}
