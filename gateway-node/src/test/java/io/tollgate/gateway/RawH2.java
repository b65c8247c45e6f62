package io.tollgate.gateway;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2HuffmanDecoder;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A frame-level HTTP/2 client (h2c with prior knowledge or by upgrade, or h2 over TLS) over a socket, for what library clients hide: every frame the server
 * sends, GOAWAY included, in order, and requests opened exactly when the test says. Requests are HPACK static-table
 * references and literals (no Huffman); answers are decoded with Helidon's HPACK decoder. SETTINGS and PING are answered.
 */
final class RawH2 implements AutoCloseable {
    static final int DATA = 0x0;
    static final int HEADERS = 0x1;
    static final int RST_STREAM = 0x3;
    static final int GOAWAY = 0x7;
    /** A frame as received; {@code type == -1} marks the end of the connection. */
    record Frame(int type, int flags, int streamId, byte[] payload) {
        boolean endStream() {
            return (flags & 0x1) != 0;
        }

        int goAwayLastStreamId() {
            return ByteBuffer.wrap(payload).getInt() & 0x7fffffff;
        }

        int goAwayErrorCode() {
            return ByteBuffer.wrap(payload).getInt(4);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final Http2Headers.DynamicTable table = Http2Headers.DynamicTable.create(4096);
    private final Http2HuffmanDecoder huffman = Http2HuffmanDecoder.create();

    private RawH2(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** h2c with prior knowledge on the plain port. */
    static RawH2 connect(int port) throws IOException {
        return start(new Socket("127.0.0.1", port));
    }

    /** h2 over TLS, chosen by ALPN, trusting what {@code tls} trusts. */
    static RawH2 connectTls(int port, SSLContext tls) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            socket.close();
            throw new IOException("ALPN chose " + socket.getApplicationProtocol() + ", not h2");
        }
        return start(socket);
    }

    /**
     * h2c by {@code Upgrade: h2c} on the plain port: {@code path} is sent as an HTTP/1.1 GET asking for the upgrade,
     * and becomes stream 1 once the server answers 101 (RFC 7540 section 3.2); its answer comes as HTTP/2 frames.
     */
    static RawH2 upgrade(int port, String host, String path) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        OutputStream out = socket.getOutputStream();
        // HTTP2-Settings: one setting, ENABLE_PUSH (0x2) = 0, base64url
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "Upgrade: h2c\r\nHTTP2-Settings: AAIAAAAA\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // the 101 head, byte by byte so that nothing of the HTTP/2 frames after it is consumed
        java.io.InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                socket.close();
                throw new EOFException("connection closed before the upgrade answer: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("no upgrade: " + head);
        }
        return start(socket);
    }

    private static RawH2 start(Socket socket) throws IOException {
        RawH2 client = new RawH2(socket);
        client.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        client.frame(0x4, 0, 0, new byte[0]);   // our SETTINGS: all defaults
        // only now: the reader answers the server's SETTINGS, which must not go out before our preface
        Thread.ofVirtual().start(client::readFrames);
        return client;
    }

    /** Opens stream {@code streamId} with a GET (END_STREAM: no body). */
    void get(int streamId, String authority, String path) throws IOException {
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.write(0x82);  // :method GET, indexed (static table 2)
        block.write(0x86);  // :scheme http, indexed (static table 6)
        literal(block, 4, path);        // :path
        literal(block, 1, authority);   // :authority
        frame(HEADERS, 0x1 | 0x4, streamId, block.toByteArray());
    }

    /** The next frame of a type in {@code types} (others are skipped); fails after 10 s, a liveness bound. */
    Frame next(int... types) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Frame frame = frames.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (frame == null) {
                throw new AssertionError("no frame of type " + java.util.Arrays.toString(types) + " within 10 s");
            }
            if (frame.type() == -1) {
                return frame;
            }
            for (int type : types) {
                if (frame.type() == type) {
                    return frame;
                }
            }
        }
    }

    /** The :status of a HEADERS frame, decoded (the table is kept across calls, as HPACK requires). */
    synchronized int status(Frame headers) {
        Http2FrameHeader header = Http2FrameHeader.create(headers.payload().length, Http2FrameTypes.HEADERS,
                Http2Flag.HeaderFlags.create(headers.flags()), headers.streamId());
        return Http2Headers.create(null, table, huffman, new Http2FrameData(header,
                BufferData.create(headers.payload()))).status().code();
    }

    private void readFrames() {
        try {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            while (true) {
                int length = in.readUnsignedShort() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int streamId = in.readInt() & 0x7fffffff;
                byte[] payload = in.readNBytes(length);
                if (payload.length < length) {
                    throw new EOFException();
                }
                if (type == 0x4 && (flags & 0x1) == 0) {
                    frame(0x4, 0x1, 0, new byte[0]);  // ACK the server's SETTINGS
                } else if (type == 0x6 && (flags & 0x1) == 0) {
                    frame(0x6, 0x1, 0, payload);      // PING ACK
                }
                frames.add(new Frame(type, flags, streamId, payload));
            }
        } catch (IOException e) {
            frames.add(new Frame(-1, 0, 0, new byte[0]));
        }
    }

    /** A literal field without indexing whose name is static table entry {@code index} (RFC 7541 section 6.2.2). */
    private static void literal(ByteArrayOutputStream block, int index, String value) {
        block.write(index);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        block.write(v.length);
        block.writeBytes(v);
    }

    private synchronized void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(9);
        head.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length);
        head.put((byte) type).put((byte) flags).putInt(streamId);
        out.write(head.array());
        out.write(payload);
        out.flush();
    }

    private synchronized void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
