package io.tollgate.gateway;

import io.helidon.http.encoding.ContentEncodingContext;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.tollgate.common.privacy.ClientIps;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.Database;
import io.tollgate.db.store.NodeStore;
import io.tollgate.gateway.auth.ApiKeyAuthenticator;
import io.tollgate.gateway.auth.JwtAuthenticator;
import io.tollgate.gateway.auth.TenantStatusFilter;
import io.tollgate.gateway.cache.CacheFilter;
import io.tollgate.gateway.http.Drain;
import io.tollgate.gateway.http.ProxiedPeers;
import io.tollgate.gateway.http.GatewayHandler;
import io.tollgate.gateway.http.ManagementRoutes;
import io.tollgate.gateway.limit.BodySizeFilter;
import io.tollgate.gateway.limit.ClusterShare;
import io.tollgate.gateway.limit.QuotaFilter;
import io.tollgate.gateway.limit.RateLimitFilter;
import io.tollgate.gateway.observe.GatewayMetrics;
import io.tollgate.gateway.observe.RecordFilter;
import io.tollgate.gateway.observe.RequestIdFilter;
import io.tollgate.gateway.pipeline.Pipeline;
import io.tollgate.gateway.proxy.Http2HealthProbe;
import io.tollgate.gateway.loop.FrontDoor;
import io.tollgate.gateway.loop.Handover;
import io.tollgate.gateway.proxy.LoopForwarder;
import io.tollgate.gateway.proxy.ProxyFilter;
import io.tollgate.gateway.resilience.HealthChecker;
import io.tollgate.gateway.resilience.ServiceGuards;
import io.tollgate.gateway.route.RouteFilter;
import io.tollgate.gateway.snapshot.NodeHeartbeat;
import io.tollgate.gateway.snapshot.SnapshotHolder;
import io.tollgate.gateway.snapshot.SnapshotPoller;
import io.tollgate.gateway.tls.TlsListener;
import io.tollgate.gateway.tls.UpstreamTls;
import io.tollgate.gateway.usage.QuotaLedger;
import io.tollgate.gateway.usage.UsageFlusher;
import io.tollgate.gateway.usage.UsageRecorder;
import io.tollgate.gateway.ws.WebSocketMetrics;
import io.tollgate.gateway.ws.WebSocketProtocol;
import io.tollgate.gateway.ws.WebSocketUpgrader;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.List;
import java.util.Map;

/**
 * A running gateway node: the gateway listener ({@code gatewayPort}), the management listener ({@code mgmtPort}),
 * the HTTPS listener when {@code TOLLGATE_TLS_CERT}/{@code TOLLGATE_TLS_KEY} are set ({@link #tlsPort()}),
 * the snapshot poller and the heartbeat. Never migrates the database. Port 0 binds an ephemeral port; read the
 * real one from {@link #port()} / {@link #mgmtPort()}.
 */
public final class GatewayServer {
    private static final String MGMT_SOCKET = "mgmt";
    private static final System.Logger LOG = System.getLogger(GatewayServer.class.getName());

    private final WebServer server;
    private final Database database;
    private final SnapshotPoller poller;
    private final NodeHeartbeat heartbeat;
    private final ProxyFilter proxy;
    private final RecordFilter record;
    private final UsageFlusher usage;
    private final RateLimitFilter rateLimits;
    private final HealthChecker healthChecker;
    private final Drain drain;
    private final GatewaySettings gateway;
    private final TlsListener tls;
    /** The event loops on the plain gateway port, or null when Helidon serves it alone. */
    private final FrontDoor front;
    private final Handover handover;
    private boolean stopped;

    private GatewayServer(WebServer server, Database database, SnapshotPoller poller, NodeHeartbeat heartbeat,
                          ProxyFilter proxy, RecordFilter record, UsageFlusher usage, RateLimitFilter rateLimits,
                          HealthChecker healthChecker, Drain drain, GatewaySettings gateway, TlsListener tls,
                          FrontDoor front, Handover handover) {
        this.front = front;
        this.handover = handover;
        this.server = server;
        this.database = database;
        this.poller = poller;
        this.heartbeat = heartbeat;
        this.proxy = proxy;
        this.record = record;
        this.usage = usage;
        this.rateLimits = rateLimits;
        this.healthChecker = healthChecker;
        this.drain = drain;
        this.gateway = gateway;
        this.tls = tls;
    }

    public static GatewayServer start(Settings settings) {
        return start(settings, System.getenv());
    }

    /** As {@link #start(Settings)}, reading the gateway-only settings ({@link GatewaySettings}) from {@code env}. */
    static GatewayServer start(Settings settings, Map<String, String> env) {
        return start(settings, env, Clock.systemUTC());
    }

    /**
     * As {@link #start(Settings, Map)}, with the clock that decides key expiry, usage minutes and quota periods
     * (rate-limit buckets keep their own monotonic time).
     */
    static GatewayServer start(Settings settings, Map<String, String> env, Clock clock) {
        GatewaySettings gateway = GatewaySettings.from(settings, env);
        // before anything starts: a certificate or key that cannot be served stops the node here, naming the file
        TlsListener tls = gateway.tls().map(TlsListener::open).orElse(null);
        // likewise an unreadable TOLLGATE_UPSTREAM_CA_FILE
        UpstreamTls upstreamTls = UpstreamTls.from(env);
        if (upstreamTls.operatorCas() > 0) {
            LOG.log(System.Logger.Level.INFO, "TLS to upstreams trusts the JDK's default CAs and "
                    + upstreamTls.operatorCas() + " from " + UpstreamTls.CA_FILE);
        }
        Database database = Database.open(settings, "tollgate-gateway");
        SnapshotPoller poller = null;
        NodeHeartbeat heartbeat = null;
        UsageFlusher usage = null;
        RateLimitFilter rateLimits = null;
        HealthChecker healthChecker = null;
        ServiceGuards guards = new ServiceGuards();
        ProxyFilter proxy = new ProxyFilter(guards, upstreamTls);
        Http2HealthProbe healthProbe = new Http2HealthProbe(upstreamTls);
        GatewayMetrics metrics = new GatewayMetrics();
        CacheFilter cache = new CacheFilter(gateway.cacheMaxBytes(), gateway.cacheMaxEntryBytes());
        metrics.upstreamHealth(guards::renderMetrics);
        metrics.cache(cache::renderMetrics);
        if (tls != null) {
            metrics.tls(tls::renderMetrics);
        }
        WebSocketMetrics webSockets = new WebSocketMetrics();
        metrics.webSocket(webSockets::render);
        UsageRecorder recorder = new UsageRecorder(clock);
        QuotaLedger quotas = new QuotaLedger(clock);
        RecordFilter record = new RecordFilter(metrics, recorder,
                ClientIps.create(settings.clientIpMode(), settings.clientIpKey().orElse(null)), gateway.accessLog());
        Drain drain = new Drain();
        // Event loops serve the plain port when asked for and when rate limits are node-local: with Redis a
        // rate-limit check is a blocking round trip, which a loop thread must not make.
        boolean loops = gateway.eventLoops() > 0 && settings.redisUrl().isEmpty();
        FrontDoor front = null;
        Handover handover = null;
        WebServer started = null;
        try {
            SnapshotHolder[] holder = new SnapshotHolder[1];
            holder[0] = new SnapshotHolder(version -> {
                metrics.configVersion(version);
                // publish() has swapped the snapshot in before telling its version
                cache.snapshotApplied(holder[0].current());
            });
            SnapshotHolder snapshots = holder[0];
            poller = new SnapshotPoller(database, snapshots, gateway.snapshotFile(), settings.configPollInterval(),
                    settings.configListen());
            poller.start();
            healthChecker = new HealthChecker(snapshots::current, guards, healthProbe, upstreamTls.context());
            healthChecker.start();

            ClusterShare share = new ClusterShare();
            heartbeat = new NodeHeartbeat(new NodeStore(database.dsl()), gateway.nodeId(), gateway.host(), snapshots,
                    gateway.heartbeatInterval(), gateway.nodeLiveWindow(), share::liveNodes, guards::report);
            heartbeat.start();
            rateLimits = settings.redisUrl().map(url -> RateLimitFilter.withRedis(share, url))
                    .orElseGet(() -> new RateLimitFilter(share));

            usage = new UsageFlusher(database, snapshots, recorder, quotas, gateway.nodeId(), clock,
                    gateway.usageFlushInterval());
            metrics.usageFlush(usage::failures, usage::dropped);
            usage.start();

            // The one place the filter order is decided; io.tollgate.gateway.pipeline explains this order.
            Pipeline pipeline = Pipeline.of(List.of(
                    new RequestIdFilter(),
                    record,
                    new RouteFilter(),
                    new ApiKeyAuthenticator(clock),
                    new JwtAuthenticator(),
                    new TenantStatusFilter(),
                    rateLimits,
                    new QuotaFilter(quotas),
                    new BodySizeFilter(),
                    cache,
                    proxy));

            // No content coding on the gateway listener: bodies pass through exactly as encoded by their sender.
            ContentEncodingContext identityOnly = ContentEncodingContext.builder()
                    .contentEncodingsDiscoverServices(false)
                    .build();
            // Answer fields come from upstream heads the proxy checked (io.tollgate.gateway.proxy.FieldChecks) or
            // from the gateway itself: Helidon checking each again costs a pass and an allocation per field.
            Http1Config http1 = Http1Config.builder().validateResponseHeaders(false).build();
            // the front door's splices, whose PROXY lines are believed; no other connection's are
            ProxiedPeers peers = new ProxiedPeers();
            GatewayHandler handler = new GatewayHandler(pipeline, snapshots, drain, peers);
            WebSocketProtocol webSocketProtocol = new WebSocketProtocol(new WebSocketUpgrader(pipeline, snapshots,
                    drain, gateway.wsIdleTimeout(), webSockets, peers));
            var builder = WebServer.builder()
                    .host(settings.bindHost())
                    .port(settings.gatewayPort())
                    .contentEncoding(identityOnly)
                    // our stop() drains first; Helidon's own hook would close the listeners under it on SIGTERM
                    .shutdownHook(false)
                    .directHandlers(GatewayHandler.directHandlers())
                    .connectionOptions(socket -> socket.tcpNoDelay(true))
                    .addProtocol(http1)
                    // WebSocket upgrades through the same pipeline, spliced on a 101 (io.tollgate.gateway.ws)
                    .addProtocol(webSocketProtocol)
                    // Helidon's HTTP/2 (prior knowledge / ALPN, and the h2c upgrade) through the drain's selector
                    // and upgrader, so a drain can send its connections GOAWAY (Drain)
                    .addConnectionSelector(drain.http2Selector())
                    .addProtocol(drain.h2cUpgrade())
                    .routing(routing -> GatewayHandler.register(routing, handler))
                    .putSocket(MGMT_SOCKET, socket -> socket.host(settings.bindHost()).port(settings.mgmtPort()))
                    .routing(MGMT_SOCKET, routing -> ManagementRoutes.register(routing, snapshots, metrics, drain,
                            body -> Optional.ofNullable(tls).ifPresent(t -> t.describe(body))));
            if (tls != null) {
                // the same handler (pipeline, drain) as the plain port; ALPN offers h2 and http/1.1
                builder.putSocket(TlsListener.SOCKET, socket -> socket.host(settings.bindHost())
                                .port(tls.settings().port())
                                .tls(tls.tls())
                                .contentEncoding(identityOnly)
                                .directHandlers(GatewayHandler.directHandlers())
                                .connectionOptions(options -> options.tcpNoDelay(true))
                                .addProtocol(http1)
                                .addProtocol(webSocketProtocol)
                                .addConnectionSelector(drain.http2Selector())
                                .addProtocol(drain.h2cUpgrade()))
                        .routing(TlsListener.SOCKET, routing -> GatewayHandler.register(routing, handler));
            }
            if (loops) {
                // behind the event loops, Helidon gets the connections they hand over, on an internal port
                Handover.internalListener(builder);
            }
            WebServer server = builder.build().start();
            started = server;
            if (loops) {
                // 127.0.0.1 as Handover.internalListener binds it (the loopback name may mean ::1)
                handover = new Handover(new InetSocketAddress("127.0.0.1", server.port()), peers);
                front = new FrontDoor(settings.bindHost(), settings.gatewayPort(), gateway.eventLoops(),
                        gateway.clientIdleTimeout(), pipeline, snapshots, drain, new LoopForwarder(guards), handover);
            }
            if (tls != null) {
                tls.watch(server);
            }
            return new GatewayServer(server, database, poller, heartbeat, proxy, record, usage, rateLimits,
                    healthChecker, drain, gateway, tls, front, handover);
        } catch (RuntimeException | Error e) {
            // e.g. a port already taken: release what was started so a failed start leaves no threads behind
            if (front != null) {
                front.close();
            }
            if (handover != null) {
                handover.close();
            }
            if (started != null) {
                started.stop();
            }
            if (usage != null) {
                usage.close();
            }
            if (rateLimits != null) {
                rateLimits.close();
            }
            if (heartbeat != null) {
                heartbeat.close();
            }
            if (healthChecker != null) {
                healthChecker.close();
            } else {
                healthProbe.close();
            }
            if (poller != null) {
                poller.close();
            }
            proxy.close();
            record.close();
            database.close();
            if (tls != null) {
                tls.close();
            }
            throw e;
        }
    }

    private static void sleep(java.time.Duration pause) {
        if (pause.isZero()) {
            return;
        }
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public int port() {
        return front != null ? front.port() : server.port();
    }

    /** Helidon's internal listener behind the event loops, or -1 when Helidon serves the plain port (for tests). */
    int internalPort() {
        return front != null ? server.port() : -1;
    }

    /** The event loops on the plain port, or null when Helidon serves it alone (for tests). */
    FrontDoor frontDoor() {
        return front;
    }

    /** Requests in flight as the graceful stop counts them (for tests). */
    Drain drain() {
        return drain;
    }

    /** Where the event loops hand connections to Helidon, or null (for tests). */
    Handover handover() {
        return handover;
    }

    public int mgmtPort() {
        return server.port(MGMT_SOCKET);
    }

    /** The HTTPS listener's port, or -1 when TLS is not configured. */
    public int tlsPort() {
        return tls == null ? -1 : server.port(TlsListener.SOCKET);
    }

    /**
     * Stops gracefully (also what SIGTERM does, through GatewayMain's shutdown hook): readiness goes down at once
     * while requests are still served for {@code TOLLGATE_DRAIN_UNREADY_MS}, so load balancers can move away (HTTP/2
     * clients get GOAWAY with 2^31-1: open new streams elsewhere); then new requests are refused with 503 (HTTP/2
     * clients: the final GOAWAY with the last stream served) and the ones in flight get up to
     * {@code TOLLGATE_DRAIN_TIMEOUT_MS} to finish; only then do the listeners close, and the usage and
     * denied-request events still held are written before the pool closes.
     */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        drain.markUnready();
        sleep(gateway.drainUnready());
        drain.refuse();
        if (!drain.awaitIdle(gateway.drainTimeout())) {
            LOG.log(System.Logger.Level.WARNING, drain.inFlight() + " requests still in flight after the drain "
                    + "timeout; stopping anyway");
        }
        if (tls != null) {
            tls.close();
        }
        if (front != null) {
            front.close();
            handover.close();
        }
        server.stop();
        usage.close();
        rateLimits.close();
        heartbeat.close();
        healthChecker.close();
        poller.close();
        proxy.close();
        record.close();
        database.close();
    }
}
