package io.tollgate.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal WebSocket server for tests (RFC 6455 on a raw ServerSocket, port 0): answers the handshake with
 * Sec-WebSocket-Accept and echoes every data frame unmasked, answers ping with pong and close with close. A path
 * ending in {@code /refuse} gets 403 instead of 101; a path ending in {@code /hangup} is closed by the server right
 * after the first echo. Counts connections accepted and connections open.
 */
final class WebSocketEcho implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket server;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();
    /** The last handshake's request fields (lower-case names), as the upstream saw them. */
    volatile Map<String, String> lastHandshake = Map.of();

    WebSocketEcho() throws IOException {
        this(null);
    }

    /** Over TLS with {@code tls}'s certificate when it is not null (a wss upstream). */
    WebSocketEcho(javax.net.ssl.SSLContext tls) throws IOException {
        server = tls == null ? new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())
                : tls.getServerSocketFactory().createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::acceptLoop);
    }

    String url() {
        return server instanceof javax.net.ssl.SSLServerSocket ? "https://localhost:" + server.getLocalPort()
                : "http://127.0.0.1:" + server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.incrementAndGet();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            String requestLine = line(in);
            Map<String, String> fields = new HashMap<>();
            for (String field = line(in); !field.isEmpty(); field = line(in)) {
                int colon = field.indexOf(':');
                fields.put(field.substring(0, colon).trim().toLowerCase(Locale.ROOT), field.substring(colon + 1).trim());
            }
            lastHandshake = fields;
            String path = requestLine.split(" ")[1];
            if (path.endsWith("/refuse")) {
                out.write(("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n"
                        + "no, sir").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                    .digest((fields.get("sec-websocket-key") + GUID).getBytes(StandardCharsets.US_ASCII)));
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            echo(new DataInputStream(in), out, path.endsWith("/hangup"));
        } catch (IOException | NoSuchAlgorithmException e) {
            // the other side went away: that ends this connection
        } finally {
            open.decrementAndGet();
        }
    }

    private static void echo(DataInputStream in, OutputStream out, boolean hangUpAfterFirst) throws IOException {
        while (true) {
            int b0 = in.read();
            if (b0 < 0) {
                return;
            }
            int b1 = in.readUnsignedByte();
            int opcode = b0 & 0x0F;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] mask = new byte[4];
            boolean masked = (b1 & 0x80) != 0;
            if (masked) {
                in.readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            int answerOpcode = opcode == 0x9 ? 0xA : opcode;
            if (opcode == 0xA) {
                continue;   // a pong needs no answer
            }
            writeFrame(out, (b0 & 0x80) | answerOpcode, payload);
            if (opcode == 0x8 || hangUpAfterFirst) {
                return;
            }
        }
    }

    /** An unmasked frame, as a server sends it. */
    static void writeFrame(OutputStream out, int firstByte, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 10);
        frame.write(firstByte);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        frame.write(payload);
        out.write(frame.toByteArray());
        out.flush();
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("closed in the head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
