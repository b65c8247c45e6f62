package io.tollgate.gateway.resilience;

import io.tollgate.gateway.snapshot.ResilienceSpec;
import io.tollgate.gateway.snapshot.Snapshot;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Active health checks, run by every node on its own: for each service with a {@code health_check_path}, a GET of
 * that path on every target each interval. A 2xx or 3xx within the timeout passes. Services whose protocol is h2c
 * are checked with the same GET over HTTP/2, gRPC services by calling the path as a gRPC method (normally
 * {@code /grpc.health.v1.Health/Check}), which passes on grpc-status 0 and SERVING ({@link Http2Probe}). https
 * targets are checked over TLS with the same trust and verification as the requests sent to them.
 * {@code unhealthyThreshold} failures in a row mark the target unhealthy (not picked), {@code healthyThreshold} passes in a row make it
 * healthy again; a target starts healthy. A tick every {@link #TICK} looks at the current snapshot, so services
 * and settings follow config changes; each check runs on its own virtual thread, at most one per target at a time.
 * The tick also forgets the state of targets no longer configured, and clears the verdict of targets whose service
 * stopped checking.
 */
public final class HealthChecker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HealthChecker.class.getName());
    static final Duration TICK = Duration.ofMillis(100);

    private static final class Probe {
        long nextAt;
        int passes;
        int failures;
        volatile boolean running;
    }

    private final Supplier<Snapshot> snapshots;
    private final ServiceGuards guards;
    private final HttpClient client;
    private final Map<ServiceGuards.TargetKey, Probe> probes = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
            runnable -> Thread.ofPlatform().daemon().name("tollgate-health-checks").unstarted(runnable));
    private long lastVersion = Long.MIN_VALUE;

    private final Http2Probe http2;

    /**
     * With {@code http2} checking the targets of services whose protocol is h2c, h2 or grpc, and {@code tls} the
     * node's trust for https targets checked over HTTP/1.1 (the JDK client verifies the host name and sends SNI).
     */
    public HealthChecker(Supplier<Snapshot> snapshots, ServiceGuards guards, Http2Probe http2, SSLContext tls) {
        this.snapshots = snapshots;
        this.guards = guards;
        this.http2 = http2;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(java.net.ProxySelector.of(null))
                .sslContext(tls)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public void start() {
        ticker.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            Snapshot snapshot = snapshots.get();
            if (snapshot == null) {
                return;
            }
            long now = System.nanoTime();
            Set<ServiceGuards.TargetKey> checked = new HashSet<>();
            Set<ServiceGuards.TargetKey> live = new HashSet<>();
            for (UpstreamPool pool : snapshot.pools()) {
                ResilienceSpec.HealthCheck check = pool.resilience().healthCheck();
                for (UpstreamPool.Target target : pool.targets()) {
                    ServiceGuards.TargetKey key = new ServiceGuards.TargetKey(pool.serviceId(), target.url());
                    live.add(key);
                    if (check == null) {
                        continue;
                    }
                    checked.add(key);
                    Probe probe = probes.computeIfAbsent(key, k -> new Probe());
                    if (!probe.running && now - probe.nextAt >= 0) {
                        probe.running = true;
                        probe.nextAt = now + check.interval().toNanos();
                        TargetHealth health = guards.health(pool, target);
                        UpstreamPool.Protocol protocol = pool.protocol();
                        Thread.ofVirtual().name("tollgate-health-check").start(
                                () -> probe(key, probe, health, target, check, protocol));
                    }
                }
            }
            // a service that stopped checking (or a target that left) must not stay marked unhealthy
            probes.keySet().retainAll(checked);
            if (snapshot.version() != lastVersion) {
                lastVersion = snapshot.version();
                for (UpstreamPool pool : snapshot.pools()) {
                    if (pool.resilience().healthCheck() == null) {
                        pool.targets().forEach(t -> guards.health(pool, t).checkedUnhealthy(false));
                    }
                }
                guards.retain(live);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "health check tick failed", e);
        }
    }

    private void probe(ServiceGuards.TargetKey key, Probe probe, TargetHealth health, UpstreamPool.Target target,
                       ResilienceSpec.HealthCheck check, UpstreamPool.Protocol protocol) {
        boolean passed = protocol.http2()
                ? http2.passes(target, check.path(), protocol == UpstreamPool.Protocol.GRPC, check.timeout())
                : passesHttp1(target, check);
        probe.running = false;
        if (probes.get(key) != probe) {
            return;  // the service stopped checking meanwhile: its verdict was cleared and must stay so
        }
        if (passed) {
            probe.failures = 0;
            if (++probe.passes >= check.healthyThreshold()) {
                health.checkedUnhealthy(false);
            }
        } else {
            probe.passes = 0;
            if (++probe.failures >= check.unhealthyThreshold()) {
                health.checkedUnhealthy(true);
            }
        }
    }

    /** GET of the health path over HTTP/1.1: a 2xx or 3xx within the timeout passes. */
    private boolean passesHttp1(UpstreamPool.Target target, ResilienceSpec.HealthCheck check) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(target.scheme() + "://" + hostPort(target)
                            + target.basePath() + check.path()))
                    .timeout(check.timeout())
                    .header("User-Agent", "tollgate-health-check")
                    .GET()
                    .build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            return response.statusCode() >= 200 && response.statusCode() < 400;
        } catch (java.io.IOException | IllegalArgumentException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String hostPort(UpstreamPool.Target target) {
        String host = target.host().contains(":") && !target.host().startsWith("[")
                ? "[" + target.host() + "]" : target.host();
        return host + ":" + target.port();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        client.shutdownNow();
        http2.close();
    }
}
