package io.tollgate.gateway.loop;

import io.helidon.webserver.ListenerConfig;
import io.tollgate.gateway.http.ProxiedPeers;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The way out of the front door for connections it does not serve itself (HTTP/2, upgrades, bodies, unusual
 * heads): the client's socket is spliced, byte for byte, to Helidon's internal listener, which then serves the
 * connection exactly as if the client had connected to it. The splice opens with a PROXY protocol v1 line naming
 * the client's address and the public listener's, because to Helidon every spliced connection comes from
 * 127.0.0.1; the gateway takes the client address from that line
 * ({@link io.tollgate.gateway.http.ClientAddress}).
 *
 * <p>Each splice runs on two virtual threads, one per direction, so the event loop that calls {@link #start} never
 * waits on Helidon. Half-closes pass through: the client's end of input becomes a shutdown of output toward
 * Helidon while answers keep flowing back, and the same the other way; once both directions have ended, or either
 * failed, both sockets are closed. There is no idle timeout here: Helidon applies its own and closes its side.
 *
 * <p>Once Helidon has closed its side (after an error answer, {@code Connection: close}, an HTTP/1.0 request or its
 * idle timeout) nothing more can come of the connection, so the splice ends {@link #CLOSE_GRACE} later even if the
 * client keeps its side open: else a client that reads the answer to its end and then never closes would hold two
 * descriptors and a thread here for good, where before the front door Helidon's close freed everything. The grace
 * lets a client still sending the tail of its request read the answer before its socket is closed under it.
 */
public final class Handover implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Handover.class.getName());
    private static final int BUFFER = 16 * 1024;
    /** How long a splice outlives Helidon's close of its side while the client keeps its own open. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final InetSocketAddress helidon;
    private final Duration closeGrace;
    private final ProxiedPeers peers;
    private final Set<Splice> splices = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Splices handed-over client connections to Helidon's internal listener at {@code helidon}. */
    /** Splices to {@code helidon}, each registered with {@code peers} while it lasts (its PROXY line is believed). */
    public Handover(InetSocketAddress helidon, ProxiedPeers peers) {
        this(helidon, CLOSE_GRACE, peers);
    }

    /** As {@link #Handover(InetSocketAddress, ProxiedPeers)}; a splice ends {@code closeGrace} after Helidon closed. */
    Handover(InetSocketAddress helidon, Duration closeGrace, ProxiedPeers peers) {
        this.helidon = helidon;
        this.closeGrace = closeGrace;
        this.peers = peers;
    }

    /**
     * Takes over a client connection for the rest of its life. {@code client} is connected, in blocking mode and
     * registered with no selector; {@code alreadyRead} holds bytes read from it and not consumed (position..limit),
     * passed on first. Never throws and never blocks the caller (event-loop thread): it connects to Helidon and
     * copies on virtual threads. If Helidon cannot be reached the client connection is closed.
     *
     * <p>The bytes of {@code alreadyRead} are copied before this returns (its position is left as it was), so the
     * caller may reuse the buffer at once.
     */
    public void start(SocketChannel client, ByteBuffer alreadyRead) {
        Splice splice = null;
        try {
            byte[] first = new byte[alreadyRead == null ? 0 : alreadyRead.remaining()];
            if (first.length > 0) {
                alreadyRead.duplicate().get(first);
            }
            // opening an unconnected channel does not block; connecting it does, on the splice's own thread
            splice = new Splice(client, SocketChannel.open());
            splices.add(splice);
            if (closed) {
                // close() may have run its sweep before the add above: this splice must not outlive it
                splice.end();
                return;
            }
            Splice started = splice;
            Thread.ofVirtual().name("handover-up").start(() -> started.run(first));
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // no channel or no thread to be had: the event loop must carry on, so this client is given up
            LOG.log(System.Logger.Level.WARNING, "could not hand a connection over to Helidon: " + e);
            if (splice != null) {
                splice.end();
            } else {
                closeQuietly(client);
            }
        }
    }

    /** Splices running now. */
    public int active() {
        return splices.size();
    }

    /** Ends every splice (both sockets closed); later start() calls close the client at once. */
    @Override
    public void close() {
        closed = true;
        for (Splice splice : splices) {
            splice.end();
        }
    }

    /**
     * Configures a Helidon listener as the internal one: 127.0.0.1, port 0, PROXY protocol required. A connection
     * that does not open with a PROXY line is closed by Helidon unanswered, so nothing reaching this port directly
     * can pass for another client. Takes the default listener's builder ({@code WebServer.builder()}) as well as a
     * named socket's ({@code putSocket}).
     */
    public static void internalListener(ListenerConfig.BuilderBase<?, ?> listener) {
        listener.host("127.0.0.1");
        listener.port(0);
        listener.enableProxyProtocol(true);
    }

    /**
     * The PROXY protocol v1 line for a connection from {@code source} to {@code destination}. Both addresses of one
     * line must be of one family; a socket's two ends always are, but should they differ the IPv4 one is written
     * in its IPv4-mapped IPv6 form.
     */
    static String proxyLine(InetSocketAddress source, InetSocketAddress destination) {
        InetAddress from = source.getAddress();
        InetAddress to = destination.getAddress();
        boolean ipv4 = from instanceof Inet4Address && to instanceof Inet4Address;
        return "PROXY " + (ipv4 ? "TCP4 " : "TCP6 ") + literal(from, ipv4) + ' ' + literal(to, ipv4) + ' '
                + source.getPort() + ' ' + destination.getPort() + "\r\n";
    }

    private static String literal(InetAddress address, boolean ipv4) {
        String text = address.getHostAddress();
        if (ipv4) {
            return text;
        }
        if (address instanceof Inet4Address) {
            return "::ffff:" + text;
        }
        int scope = text.indexOf('%');   // a link-local zone is no part of the protocol's address syntax
        return scope < 0 ? text : text.substring(0, scope);
    }

    private static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway; nothing more to do with it
        }
    }

    /** One handed-over connection: the client's socket and the one to Helidon, and how many directions still run. */
    private final class Splice {
        private final SocketChannel client;
        private final SocketChannel helidonSide;
        private final AtomicInteger runningDirections = new AtomicInteger(2);
        private final AtomicBoolean ended = new AtomicBoolean();
        /** This splice's end of its connection to Helidon, once connected. */
        private volatile InetSocketAddress local;
        /** Released by {@link #end}, so that a copy waiting out the grace stops waiting on an ended splice. */
        private final CountDownLatch over = new CountDownLatch(1);

        Splice(SocketChannel client, SocketChannel helidonSide) {
            this.client = client;
            this.helidonSide = helidonSide;
        }

        /** Connects, sends the PROXY line and the bytes already read, then copies client to Helidon. */
        void run(byte[] first) {
            try {
                String line = proxyLine((InetSocketAddress) client.getRemoteAddress(),
                        (InetSocketAddress) client.getLocalAddress());
                helidonSide.setOption(StandardSocketOptions.TCP_NODELAY, true);
                helidonSide.connect(helidon);
                local = (InetSocketAddress) helidonSide.getLocalAddress();
                peers.opened(local);   // before the PROXY line: Helidon may read it the moment it is written
                if (ended.get()) {
                    peers.closed(local);   // end() ran in between and may have missed it
                    return;
                }
                ByteBuffer opening = ByteBuffer.allocate(line.length() + first.length);
                opening.put(line.getBytes(StandardCharsets.US_ASCII)).put(first).flip();
                writeFully(helidonSide, opening);
            } catch (IOException | RuntimeException e) {
                if (!ended.get()) {
                    LOG.log(System.Logger.Level.WARNING, "Helidon's internal listener " + helidon
                            + " cannot be reached, handed-over connection closed: " + e);
                }
                end();
                return;
            }
            try {
                Thread.ofVirtual().name("handover-down").start(this::copyDown);
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.log(System.Logger.Level.WARNING, "could not start a handed-over connection's copy: " + e);
                end();
                return;
            }
            copy(client, helidonSide, true);
        }

        /**
         * Copies Helidon's answers to the client. Once Helidon has closed its side the splice ends after the grace
         * at the latest: the client may never close its own, and the copy from it would wait on it for ever.
         */
        private void copyDown() {
            if (!copy(helidonSide, client, false)) {
                return;
            }
            try {
                over.await(closeGrace.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // nobody interrupts a splice's thread; should one be, the splice simply ends now
            }
            end();
        }

        /**
         * Copies until {@code from} ends, then passes the end on as a shutdown of output; the splice ends when this
         * was the second direction to finish. Any failure (a reset, a close by {@link #end}) ends the splice, but
         * with {@code dropWhenGone} a failure to write to {@code to} does not: Helidon may answer (a 431 to a head
         * too large) and close without reading all the client sent, and ending then would close its socket before
         * the answer was copied down. The rest from the client is read and dropped instead, until the answer's
         * copy ends the splice or the grace has passed, so that nor does the client's socket close on unread bytes
         * (a reset that can cost the client the answer on its way).
         * Returns whether the other direction still runs after this one ended.
         */
        private boolean copy(SocketChannel from, SocketChannel to, boolean dropWhenGone) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            boolean gone = false;
            try {
                while (from.read(buffer) >= 0) {
                    buffer.flip();
                    if (!gone) {
                        try {
                            writeFully(to, buffer);
                        } catch (IOException e) {
                            if (!dropWhenGone || ended.get()) {
                                throw e;
                            }
                            gone = true;
                            endAfterGrace();
                        }
                    }
                    buffer.clear();
                }
                if (!gone) {
                    to.shutdownOutput();
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.TRACE, () -> "handed-over connection ended: " + e);
                end();
                return false;
            }
            if (runningDirections.decrementAndGet() == 0) {
                end();
                return false;
            }
            return true;
        }

        /**
         * Helidon is gone: the splice ends after the grace whatever else happens, so that a client that sends but
         * never reads (the answer's copy then never finishes) cannot hold it for ever.
         */
        private void endAfterGrace() {
            try {
                Thread.ofVirtual().name("handover-grace").start(() -> {
                    try {
                        over.await(closeGrace.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        // nobody interrupts it; should one, the splice simply ends now
                    }
                    end();
                });
            } catch (RuntimeException | OutOfMemoryError e) {
                end();   // no thread to wait with: end now rather than never
            }
        }

        /** Closes both sockets (once), which also stops a copy blocked on either; the splice stops counting. */
        void end() {
            // first, and whoever calls: close() must see the count drop before it returns, even when a copy
            // thread is ending this splice at the same moment
            splices.remove(this);
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            InetSocketAddress connected = local;
            if (connected != null) {
                peers.closed(connected);
            }
            closeQuietly(client);
            closeQuietly(helidonSide);
            over.countDown();
        }
    }
}
