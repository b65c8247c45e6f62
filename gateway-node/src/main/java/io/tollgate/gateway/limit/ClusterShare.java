package io.tollgate.gateway.limit;

import java.util.concurrent.atomic.AtomicInteger;

/** How many gateway nodes share each limit, as last seen in the heartbeat table; at least 1. */
public final class ClusterShare {
    private final AtomicInteger liveNodes = new AtomicInteger(1);

    public void liveNodes(int count) {
        liveNodes.set(Math.max(1, count));
    }

    public int liveNodes() {
        return liveNodes.get();
    }
}
