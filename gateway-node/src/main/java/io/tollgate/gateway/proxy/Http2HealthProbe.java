package io.tollgate.gateway.proxy;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.webclient.http2.StreamTimeoutException;
import io.tollgate.gateway.resilience.Http2Probe;
import io.tollgate.gateway.snapshot.UpstreamPool;
import io.tollgate.gateway.tls.UpstreamTls;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

/**
 * Active health checks of h2c, h2 and gRPC targets over HTTP/2 (over TLS for https targets), on connections of
 * their own (a check never waits behind traffic for a stream slot). h2c and h2: GET of the path, 2xx or 3xx passes. gRPC: the path is called as a unary
 * gRPC method with an empty request — for {@code /grpc.health.v1.Health/Check} that asks about the whole server —
 * and passes when the call ends with grpc-status 0 and the answer's {@code status} field (1) is SERVING (1).
 */
public final class Http2HealthProbe implements Http2Probe, AutoCloseable {
    /** An empty gRPC message: not compressed, length 0 (HealthCheckRequest with service ""). */
    private static final byte[] EMPTY_MESSAGE = new byte[5];
    /** HealthCheckResponse{status: SERVING}: field 1, varint, value 1. */
    private static final byte[] SERVING = {0x08, 0x01};

    private final Http2Connections connections;

    /** With {@code tls} for https targets (the same trust as the proxy's connections). */
    public Http2HealthProbe(UpstreamTls tls) {
        this.connections = new Http2Connections(tls);
    }

    @Override
    public boolean passes(UpstreamPool.Target target, String path, boolean grpc, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Http2Connections.Lease lease;
        try {
            lease = connections.borrow(target, timeout);
        } catch (RuntimeException e) {
            return false;
        }
        Http2Connections.UpstreamStream stream = lease.stream();
        boolean ended = false;
        try {
            WritableHeaders<?> fields = WritableHeaders.create();
            fields.add(HeaderValues.create("user-agent", "tollgate-health-check"));
            if (grpc) {
                fields.add(HeaderValues.create("content-type", "application/grpc"));
                fields.add(HeaderValues.create("te", "trailers"));
            }
            Http2Headers headers = Http2Headers.create(fields);
            headers.method(grpc ? Method.POST : Method.GET);
            headers.path(target.basePath() + path);
            headers.scheme(target.scheme());
            headers.authority(target.authority());
            stream.writeHeaders(headers, !grpc);
            if (grpc) {
                stream.writeData(BufferData.create(EMPTY_MESSAGE), true);
            }
            Http2Headers answer = awaitHeaders(lease, deadline);
            int status = answer.status().code();
            if (!stream.hasEntity()) {
                ended = true;
                // a Trailers-Only gRPC answer carries no message, so it is never SERVING
                return !grpc && status >= 200 && status < 400;
            }
            if (!grpc) {
                return status >= 200 && status < 400;
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (!stream.trailers().isDone()) {
                if (System.nanoTime() - deadline > 0 || !lease.alive()) {
                    return false;
                }
                Http2FrameData frame;
                try {
                    frame = stream.readOne(Http2Connections.POLL_SLICE);
                } catch (StreamTimeoutException e) {
                    continue;
                }
                if (frame != null) {
                    BufferData data = frame.data();
                    byte[] bytes = new byte[data.available()];
                    data.read(bytes);
                    body.writeBytes(bytes);
                    if (frame.header().flags(Http2FrameTypes.DATA).endOfStream()) {
                        break;  // no trailers: not a valid gRPC answer
                    }
                }
            }
            Headers trailers = stream.trailers().getNow(null);
            ended = trailers != null;
            byte[] message = body.toByteArray();
            return status == 200 && trailers != null
                    && "0".equals(trailers.first(HeaderNames.create("grpc-status")).orElse(null))
                    && message.length == 5 + SERVING.length
                    && java.util.Arrays.equals(message, 5, message.length, SERVING, 0, SERVING.length);
        } catch (RuntimeException e) {
            return false;
        } finally {
            if (!ended) {
                try {
                    stream.cancel();
                } catch (RuntimeException ignored) {
                    // the connection is gone
                }
            }
            lease.release();
        }
    }

    private static Http2Headers awaitHeaders(Http2Connections.Lease lease, long deadline) {
        while (true) {
            try {
                return lease.stream().readHeaders();
            } catch (StreamTimeoutException e) {
                if (System.nanoTime() - deadline > 0 || !lease.alive()) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        connections.close();
    }
}
