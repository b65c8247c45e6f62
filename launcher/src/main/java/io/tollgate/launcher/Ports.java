package io.tollgate.launcher;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks ports before any server starts, so a busy port is reported by name instead of as a bind stack trace. */
final class Ports {
    private Ports() {
    }

    /**
     * Fails with a message naming the port and the variable that sets it when something already listens there.
     * Port 0 (ephemeral) is always free.
     */
    static void requireFree(String host, int port, String variable, String role) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new LaunchException("Port " + port + " (" + variable + ", the " + role + ") is already in use on "
                    + host + ". Stop what listens there (see `ss -ltnp 'sport = :" + port + "'`) or pick another port, "
                    + "e.g. " + variable + "=" + suggestion(port) + ".");
        }
    }

    private static int suggestion(int port) {
        return port < 55_000 ? port + 10_000 : port - 10_000;
    }
}
