package io.tollgate.gateway.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * An upstream connection that left HTTP after answering 101 Switching Protocols: its socket, and the bytes the
 * upstream sent right after the 101 head that were already read (they belong to the new protocol and must reach the
 * client first). Whoever holds it closes it.
 */
public record Tunnel(Socket socket, byte[] buffered) implements AutoCloseable {

    public InputStream in() throws IOException {
        return socket.getInputStream();
    }

    public OutputStream out() throws IOException {
        return socket.getOutputStream();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do with it
        }
    }
}
