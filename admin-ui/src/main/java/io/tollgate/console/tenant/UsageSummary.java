package io.tollgate.console.tenant;

import io.tollgate.db.model.UsageMinute;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Rollup minutes of one time window, folded into evenly sized buckets for the charts and into per-route
 * totals with a p95 read off the latency histogram.
 */
final class UsageSummary {
    /** One route's totals over the window. */
    public record RouteUsage(UUID routeId, long requests, long errors4xx, long errors5xx, long[] latency) {
        /** The upper bound of the bucket holding the 95th percentile request, or -1 when it is the open last one. */
        public long p95Millis() {
            long total = 0;
            for (long n : latency) {
                total += n;
            }
            if (total == 0) {
                return 0;
            }
            long needed = (long) Math.ceil(total * 0.95);
            long seen = 0;
            for (int i = 0; i < latency.length; i++) {
                seen += latency[i];
                if (seen >= needed) {
                    return i < UsageMinute.LATENCY_BOUNDS_MS.size() ? UsageMinute.LATENCY_BOUNDS_MS.get(i) : -1;
                }
            }
            return -1;
        }

        public String p95Text() {
            long p = p95Millis();
            if (requests == 0) {
                return "\u2014";
            }
            return p < 0 ? "> " + UsageMinute.LATENCY_BOUNDS_MS.getLast() + " ms" : "\u2264 " + p + " ms";
        }
    }

    final OffsetDateTime from;
    final int bucketMinutes;
    final long[] requests;
    final long[] errors4xx;
    final long[] errors5xx;
    final List<RouteUsage> routes;
    final long totalRequests;
    final long total4xx;
    final long total5xx;

    UsageSummary(OffsetDateTime from, Duration span, int bucketMinutes, List<UsageMinute> rows) {
        this.from = from;
        this.bucketMinutes = bucketMinutes;
        int n = (int) (span.toMinutes() / bucketMinutes);
        requests = new long[n];
        errors4xx = new long[n];
        errors5xx = new long[n];
        Map<UUID, long[]> counts = new HashMap<>();
        Map<UUID, long[]> latency = new HashMap<>();
        int buckets = UsageMinute.LATENCY_BOUNDS_MS.size() + 1;
        long r = 0;
        long e4 = 0;
        long e5 = 0;
        for (UsageMinute m : rows) {
            int i = (int) (Duration.between(from, m.minute()).toMinutes() / bucketMinutes);
            if (i < 0 || i >= n) {
                continue;
            }
            requests[i] += m.requests();
            errors4xx[i] += m.errors4xx();
            errors5xx[i] += m.errors5xx();
            r += m.requests();
            e4 += m.errors4xx();
            e5 += m.errors5xx();
            long[] c = counts.computeIfAbsent(m.routeId(), k -> new long[3]);
            c[0] += m.requests();
            c[1] += m.errors4xx();
            c[2] += m.errors5xx();
            long[] l = latency.computeIfAbsent(m.routeId(), k -> new long[buckets]);
            for (int b = 0; b < Math.min(buckets, m.latencyBuckets().size()); b++) {
                l[b] += m.latencyBuckets().get(b);
            }
        }
        List<RouteUsage> perRoute = new ArrayList<>();
        counts.forEach((id, c) -> perRoute.add(new RouteUsage(id, c[0], c[1], c[2], latency.get(id))));
        perRoute.sort(Comparator.comparingLong(RouteUsage::requests).reversed());
        this.routes = List.copyOf(perRoute);
        this.totalRequests = r;
        this.total4xx = e4;
        this.total5xx = e5;
    }

    /** Requests per minute in each bucket. */
    double[] perMinute() {
        double[] out = new double[requests.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (double) requests[i] / bucketMinutes;
        }
        return out;
    }

    /** Share of requests in each bucket that ended with an error of the kind, in percent. */
    static double[] rate(long[] errors, long[] requests) {
        double[] out = new double[requests.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = requests[i] == 0 ? 0 : 100.0 * errors[i] / requests[i];
        }
        return out;
    }
}
