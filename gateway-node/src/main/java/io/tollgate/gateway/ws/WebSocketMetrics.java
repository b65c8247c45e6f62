package io.tollgate.gateway.ws;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code tollgate_websocket_connections} (gauge: spliced connections open now) and
 * {@code tollgate_websocket_upgrades_total{tenant,route,result}} with result {@code upgraded} (the upstream
 * answered 101), {@code rejected} (the gateway refused: no route, no key, rate limit, ... or the upstream could
 * not be reached) or {@code declined} (the upstream answered something other than 101, passed to the client).
 */
public final class WebSocketMetrics {
    private final AtomicLong active = new AtomicLong();
    private final Map<String, LongAdder> upgrades = new ConcurrentHashMap<>();

    void upgrade(String tenant, String route, String result) {
        String labels = "tenant=\"" + escape(tenant) + "\",route=\"" + escape(route) + "\",result=\"" + result + "\"";
        upgrades.computeIfAbsent(labels, k -> new LongAdder()).increment();
    }

    void opened() {
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    public long active() {
        return active.get();
    }

    /** The exposition section, appended by GatewayMetrics. */
    public String render() {
        StringBuilder out = new StringBuilder(256);
        out.append("# HELP tollgate_websocket_connections WebSocket connections being spliced now.\n");
        out.append("# TYPE tollgate_websocket_connections gauge\n");
        out.append("tollgate_websocket_connections ").append(active.get()).append('\n');
        out.append("# HELP tollgate_websocket_upgrades_total WebSocket upgrade requests, by tenant, route and result.\n");
        out.append("# TYPE tollgate_websocket_upgrades_total counter\n");
        new TreeMap<>(upgrades).forEach((labels, count) -> out.append("tollgate_websocket_upgrades_total{")
                .append(labels).append("} ").append(count.sum()).append('\n'));
        return out.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
