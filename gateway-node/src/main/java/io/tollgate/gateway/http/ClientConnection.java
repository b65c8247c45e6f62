package io.tollgate.gateway.http;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PeerInfo;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ListenerContext;
import io.helidon.webserver.ProxyProtocolData;
import io.helidon.webserver.Router;

import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * One client's HTTP/2 connection to the gateway, as the drain sees it: which streams the gateway accepted and what
 * it told the client with GOAWAY. Helidon's HTTP/2 connection runs on this context, which is the socket's own
 * ({@code socket}) except for its writer ({@link GoAwayWriter}) and its id: the socket's id plus a sequence number,
 * because Helidon derives connection ids from identity hash codes, which may repeat, and a request finds its
 * connection here by id ({@link Http2Clients#find}).
 *
 * <p>The stream rule (RFC 9113 section 6.8): until the final GOAWAY every stream is accepted and the highest id is
 * remembered; the final GOAWAY carries that id, and from then on only streams at or below it are served (one the
 * client sent earlier may reach the handler after a later one). A stream above it is one the client was told was
 * never processed and may retry elsewhere, so the gateway must not process it.
 */
final class ClientConnection implements ConnectionContext {
    private final ConnectionContext socket;
    private final GoAwayWriter writer;
    private final String id;
    // guarded by this
    private int highestAccepted;
    private int lastStreamId = -1;

    ClientConnection(ConnectionContext socket, long sequence) {
        this.socket = socket;
        this.writer = new GoAwayWriter(socket.dataWriter());
        this.id = socket.childSocketId() + "-" + sequence;
    }

    /** True when the stream may be served; false: the client has been told it was not processed. */
    synchronized boolean accept(int streamId) {
        if (lastStreamId >= 0) {
            return streamId <= lastStreamId;
        }
        highestAccepted = Math.max(highestAccepted, streamId);
        return true;
    }

    /** The shutdown notice: GOAWAY with the largest stream id, "open no more streams here" (nothing refused yet). */
    void notice() {
        synchronized (this) {
            if (lastStreamId >= 0) {
                return;
            }
        }
        writer.goAway(Integer.MAX_VALUE);
    }

    /** The final GOAWAY: streams up to the highest accepted so far are served, later ones never. */
    void finalGoAway() {
        int last;
        synchronized (this) {
            if (lastStreamId >= 0) {
                return;
            }
            lastStreamId = highestAccepted;
            last = lastStreamId;
        }
        writer.goAway(last);
    }

    @Override
    public DataWriter dataWriter() {
        return writer;
    }

    @Override
    public String childSocketId() {
        return id;
    }

    @Override
    public String socketId() {
        return socket.socketId();
    }

    @Override
    public ListenerContext listenerContext() {
        return socket.listenerContext();
    }

    @Override
    public ExecutorService executor() {
        return socket.executor();
    }

    @Override
    public DataReader dataReader() {
        return socket.dataReader();
    }

    @Override
    public Router router() {
        return socket.router();
    }

    @Override
    public Optional<ProxyProtocolData> proxyProtocolData() {
        return socket.proxyProtocolData();
    }

    @Override
    public HelidonSocket serverSocket() {
        return socket.serverSocket();
    }

    @Override
    public PeerInfo remotePeer() {
        return socket.remotePeer();
    }

    @Override
    public PeerInfo localPeer() {
        return socket.localPeer();
    }

    @Override
    public boolean isSecure() {
        return socket.isSecure();
    }

    @Override
    public void log(System.Logger logger, System.Logger.Level level, String format, Object... params) {
        socket.log(logger, level, format, params);
    }

    @Override
    public void log(System.Logger logger, System.Logger.Level level, String format, Throwable throwable,
                    Object... params) {
        socket.log(logger, level, format, throwable, params);
    }
}
