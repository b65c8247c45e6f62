package io.tollgate.gateway.proxy;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.common.socket.TlsSocket;
import io.helidon.webclient.api.ClientConnection;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLSocket;

/**
 * The socket under one upstream HTTP/2 connection (plain, or TLS with a handshake {@link io.tollgate.gateway.tls.UpstreamTls}
 * verified), handed to Helidon's {@code Http2ClientConnection} as its {@link ClientConnection}. Two things differ
 * from Helidon's own TCP connection, both for cost per call:
 *
 * <ul>
 *   <li>Reads: before the connection's reader thread blocks for more bytes it calls {@link ReadListener#beforeRead()}.
 *       Every frame received so far has then been handed to its stream, which is when
 *       {@link Http2Connections} wakes the requests waiting for them (untimed parks, see {@link ReadTimeouts}).</li>
 *   <li>Writes: each frame leaves in one socket write (Helidon writes a frame's header and payload separately), and a
 *       thread may {@link #cork()} the socket for a moment so that a request's HEADERS and its small body leave
 *       together. While corked only the corking thread's frames wait; any other thread's write sends them first, so
 *       frames never change order (HPACK state and stream ids depend on it).</li>
 * </ul>
 */
final class UpstreamSocket implements ClientConnection {
    private static final int READ_BUFFER = 16 * 1024;

    /** Told on the reader thread before it blocks in a socket read. */
    interface ReadListener {
        void beforeRead();
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final HelidonSocket helidonSocket;
    private final DataReader reader;
    private final DataWriter writer;
    private final String channelId;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final byte[] readBuffer = new byte[READ_BUFFER];
    private final List<byte[]> corked = new ArrayList<>();
    private volatile ReadListener readListener;
    private volatile Thread readerThread;
    private Thread corkedBy;
    private volatile boolean closed;

    UpstreamSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.channelId = "0x" + Integer.toHexString(System.identityHashCode(socket));
        // for Helidon's logging context and peer information only: reads and writes go straight to the socket
        this.helidonSocket = socket instanceof SSLSocket ssl ? TlsSocket.client(ssl, channelId)
                : PlainSocket.client(socket, channelId);
        this.reader = DataReader.create(this::read);
        this.writer = new DataWriter() {
            @Override
            public void write(BufferData... buffers) {
                writeNow(buffers);
            }

            @Override
            public void write(BufferData buffer) {
                writeNow(buffer);
            }

            @Override
            public void writeNow(BufferData... buffers) {
                send(buffers);
            }

            @Override
            public void writeNow(BufferData buffer) {
                send(buffer);
            }
        };
    }

    void readListener(ReadListener listener) {
        this.readListener = listener;
    }

    /** True on the thread that reads this connection's frames (Helidon's connection handler). */
    boolean onReaderThread() {
        return Thread.currentThread() == readerThread;
    }

    private byte[] read() {
        readerThread = Thread.currentThread();
        ReadListener listener = readListener;
        if (listener != null) {
            listener.beforeRead();
        }
        try {
            int n = in.read(readBuffer);
            if (n < 0) {
                closed = true;
                return null;
            }
            return Arrays.copyOf(readBuffer, n);
        } catch (IOException e) {
            closed = true;
            throw new UncheckedIOException(e);
        }
    }

    /** Holds this thread's frames back until {@link #uncork()} (or another thread's write) sends them. */
    void cork() {
        writeLock.lock();
        try {
            corkedBy = Thread.currentThread();
        } finally {
            writeLock.unlock();
        }
    }

    /** Sends what {@link #cork()} held back, in one write. */
    void uncork() {
        writeLock.lock();
        try {
            corkedBy = null;
            if (!corked.isEmpty()) {
                writeOut(null);
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void send(BufferData... buffers) {
        int length = 0;
        for (BufferData buffer : buffers) {
            length += buffer.available();
        }
        byte[] bytes = new byte[length];
        int at = 0;
        for (BufferData buffer : buffers) {
            int n = buffer.available();
            buffer.read(bytes, at, n);
            at += n;
        }
        writeLock.lock();
        try {
            if (corkedBy == Thread.currentThread()) {
                corked.add(bytes);
            } else {
                writeOut(bytes);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes the held-back frames and then {@code bytes} (may be null) in one socket write. */
    private void writeOut(byte[] bytes) {
        byte[] all = bytes;
        if (!corked.isEmpty()) {
            int length = bytes == null ? 0 : bytes.length;
            for (byte[] held : corked) {
                length += held.length;
            }
            all = new byte[length];
            int at = 0;
            for (byte[] held : corked) {
                System.arraycopy(held, 0, all, at, held.length);
                at += held.length;
            }
            if (bytes != null) {
                System.arraycopy(bytes, 0, all, at, bytes.length);
            }
            corked.clear();
        }
        try {
            out.write(all);
        } catch (IOException e) {
            closed = true;
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public DataReader reader() {
        return reader;
    }

    @Override
    public DataWriter writer() {
        return writer;
    }

    @Override
    public String channelId() {
        return channelId;
    }

    @Override
    public HelidonSocket helidonSocket() {
        return helidonSocket;
    }

    @Override
    public void readTimeout(Duration readTimeout) {
        try {
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isConnected() {
        return !closed && !socket.isClosed() && socket.isConnected();
    }

    @Override
    public void releaseResource() {
        closeResource();
    }

    @Override
    public void closeResource() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }
}
