package io.tollgate.gateway.loop;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.gateway.http.ClientAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.tollgate.gateway.http.ProxiedPeers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Handed-over connections against a real Helidon server whose default listener is the internal one (PROXY protocol
 * required) and whose second listener is a plain one. A stand-in for the front door accepts clients on its own
 * port, reads the first bytes of each (as the front door does before it decides) and hands the connection over.
 * Clients connect from 127.0.0.2, so the address Helidon sees on the socket (127.0.0.1, the splice's) and the
 * client's real one differ.
 */
class HandoverTest {
    private static final String PLAIN = "plain";
    private static final String CLIENT_IP = "127.0.0.2";
    /** What the stand-in had in its buffer before the client's bytes: consumed, so never passed on. */
    private static final byte[] CONSUMED = "GET /consumed HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** How long a splice outlives Helidon's close here: short, so that a test need not wait the real grace. */
    private static final Duration GRACE = Duration.ofMillis(300);

    private WebServer helidon;
    private Handover handover;
    private ServerSocketChannel frontDoor;
    /** How many of each client's bytes the stand-in reads before it hands the connection over. */
    private volatile int preread;

    @BeforeEach
    void start() throws IOException {
        var builder = WebServer.builder();
        Handover.internalListener(builder);
        helidon = builder.routing(routing -> routing.any(HandoverTest::answer))
                .putSocket(PLAIN, socket -> socket.host("127.0.0.1").port(0))
                .routing(PLAIN, routing -> routing.any(HandoverTest::answer))
                .build()
                .start();
        handover = new Handover(new InetSocketAddress("127.0.0.1", helidon.port()), GRACE, new ProxiedPeers());
        frontDoor = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().name("front-door-stand-in").start(this::acceptLoop);
    }

    @AfterEach
    void stop() throws IOException {
        frontDoor.close();
        handover.close();
        helidon.stop();
    }

    /** The client address by the gateway's rule, the socket peer Helidon saw, and the posted body. */
    private static void answer(ServerRequest req, ServerResponse res) {
        String body = req.content().hasEntity() ? req.content().as(String.class) : "";
        res.send("client=" + ClientAddress.of(req.proxyProtocolData(), req.remotePeer())
                + " peer=" + req.remotePeer().host() + " body=" + body);
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel client = frontDoor.accept();
                ByteBuffer buffer = ByteBuffer.allocate(CONSUMED.length + preread);
                buffer.put(CONSUMED);
                while (buffer.hasRemaining() && client.read(buffer) >= 0) {
                    // the front door reads what it needs to decide, no more
                }
                buffer.flip().position(CONSUMED.length);
                handover.start(client, buffer);
                // an event loop reuses its buffer at once: the splice must have taken its own copy
                Arrays.fill(buffer.array(), (byte) 'X');
            }
        } catch (IOException e) {
            // the stand-in was closed: the test is over
        }
    }

    @Test
    void handedOverRequestsAreAnsweredWithTheRealClientAddress() throws IOException {
        String post = "POST /echo HTTP/1.1\r\nHost: handover.test\r\nContent-Length: 5\r\n\r\nhello";
        preread = post.length() / 2;   // half the head is "already read", the rest still in the socket
        try (Socket client = clientTo(frontDoor)) {
            OutputStream out = client.getOutputStream();
            out.write(post.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Reply first = Reply.read(client.getInputStream());
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body()).isEqualTo("client=" + CLIENT_IP + " peer=127.0.0.1 body=hello");
            assertThat(handover.active()).isEqualTo(1);

            out.write("GET /again HTTP/1.1\r\nHost: handover.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Reply second = Reply.read(client.getInputStream());
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("client=" + CLIENT_IP + " peer=127.0.0.1 body=");
        }
    }

    @Test
    void withoutAProxyLineTheClientIsTheSocketPeer() throws IOException {
        try (Socket client = clientTo(new InetSocketAddress("127.0.0.1", helidon.port(PLAIN)))) {
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: plain.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            Reply reply = Reply.read(client.getInputStream());
            assertThat(reply.body()).isEqualTo("client=" + CLIENT_IP + " peer=" + CLIENT_IP + " body=");
        }
    }

    @Test
    void theInternalListenerRefusesAConnectionWithoutAProxyLine() throws IOException {
        try (Socket client = clientTo(new InetSocketAddress("127.0.0.1", helidon.port()))) {
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: internal.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertClosedUnanswered(client);
        }
    }

    @Test
    void aClientThatShutsDownItsOutputStillGetsTheWholeAnswer() throws IOException, InterruptedException {
        byte[] body = new byte[200_000];   // an answer of many buffers, still flowing after the client's end
        Arrays.fill(body, (byte) 'b');
        String head = "POST /echo HTTP/1.1\r\nHost: handover.test\r\nContent-Length: " + body.length + "\r\n\r\n";
        preread = head.length() + 10;
        try (Socket client = clientTo(frontDoor)) {
            OutputStream out = client.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            client.shutdownOutput();
            Reply reply = Reply.read(client.getInputStream());
            assertThat(reply.status()).isEqualTo(200);
            assertThat(reply.body()).isEqualTo("client=" + CLIENT_IP + " peer=127.0.0.1 body="
                    + new String(body, StandardCharsets.US_ASCII));
            // Helidon ends the connection it has read to the end; the splice passes that on and ends
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        awaitNoSplices();
    }

    @Test
    void aClientThatKeepsItsSocketAfterHelidonClosedIsClosedAfterTheGrace() throws Exception {
        preread = 10;
        try (Socket client = clientTo(frontDoor)) {
            long sent = System.nanoTime();
            // Helidon 4.5 does not serve HTTP/1.0 and closes its side of the connection (here without a byte of
            // answer); the client reads to the end of what it is sent
            client.getOutputStream().write("GET /x HTTP/1.0\r\nHost: handover.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            client.getInputStream().readAllBytes();

            // the client keeps its socket open and sends nothing: the splice must not wait on it for ever
            awaitNoSplices();
            assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(GRACE);
            assertClosedByTheGateway(client);
        }
    }

    @Test
    void closeEndsRunningSplicesAndRefusesLaterOnes() throws IOException {
        preread = 10;
        try (Socket client = clientTo(frontDoor)) {
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: handover.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(Reply.read(client.getInputStream()).status()).isEqualTo(200);
            assertThat(handover.active()).isEqualTo(1);

            handover.close();

            assertThat(handover.active()).isZero();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket late = clientTo(frontDoor)) {
            late.getOutputStream().write("GET / HTTP/1.1\r\nHost: handover.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertClosedUnanswered(late);
        }
        assertThat(handover.active()).isZero();
    }

    @Test
    void aClientIsClosedWhenHelidonCannotBeReached() throws IOException, InterruptedException {
        InetSocketAddress nobody;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            nobody = new InetSocketAddress("127.0.0.1", gone.getLocalPort());
        }
        try (Handover unreachable = new Handover(nobody, new ProxiedPeers());
             ServerSocketChannel door = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             Socket client = clientTo(door)) {
            unreachable.start(door.accept(), ByteBuffer.allocate(0));
            assertClosedUnanswered(client);
            awaitNoSplices(unreachable);
        }
    }

    @Test
    void theProxyLineNamesBothEndsInTheirFamily() {
        assertThat(Handover.proxyLine(new InetSocketAddress("203.0.113.7", 51000),
                new InetSocketAddress("192.0.2.1", 8080)))
                .isEqualTo("PROXY TCP4 203.0.113.7 192.0.2.1 51000 8080\r\n");
        assertThat(Handover.proxyLine(new InetSocketAddress("2001:db8::7", 51000),
                new InetSocketAddress("2001:db8::1", 8080)))
                .isEqualTo("PROXY TCP6 2001:db8:0:0:0:0:0:7 2001:db8:0:0:0:0:0:1 51000 8080\r\n");
    }

    private static Socket clientTo(ServerSocketChannel door) throws IOException {
        return clientTo((InetSocketAddress) door.getLocalAddress());
    }

    /** A client from 127.0.0.2 (Linux routes all of 127/8 to the loopback device). */
    private static Socket clientTo(InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(CLIENT_IP, 0));
        socket.connect(target, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Not a byte of answer: the connection ends (orderly, or reset when unread bytes were left behind). */
    private static void assertClosedUnanswered(Socket socket) throws IOException {
        int first;
        try {
            first = socket.getInputStream().read();
        } catch (SocketException reset) {
            first = -1;
        }
        assertThat(first).as("first byte of an answer that should not come").isEqualTo(-1);
    }

    /**
     * The gateway's end of an otherwise idle connection is closed: bytes sent to it are answered with a reset, which
     * a later write reports. (Reading cannot tell, once the answer's end has been read.)
     */
    private static void assertClosedByTheGateway(Socket socket) {
        assertThatExceptionOfType(SocketException.class).isThrownBy(() -> {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (System.nanoTime() < deadline) {
                socket.getOutputStream().write('x');
                Thread.sleep(10);
            }
        });
    }

    private void awaitNoSplices() throws InterruptedException {
        awaitNoSplices(handover);
    }

    private static void awaitNoSplices(Handover handover) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (handover.active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(handover.active()).isZero();
    }

    /** One HTTP/1.1 answer framed by Content-Length, read without waiting for the connection to end. */
    private record Reply(int status, String body) {
        static Reply read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            int length = 0;
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            return new Reply(status, new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection ended inside an answer's head");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }
    }
}
