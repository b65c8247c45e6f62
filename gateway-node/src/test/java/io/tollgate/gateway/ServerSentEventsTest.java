package io.tollgate.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server-sent events and other chunked streams from an HTTP/1.1 upstream pass through without buffering: each event
 * reaches the client when the upstream sends it, not when a buffer fills or the stream ends.
 */
class ServerSentEventsTest extends WithGateway {
    private static final long SPACING_MS = 800;

    static Upstream upstream;

    @BeforeAll
    static void start() throws IOException {
        upstream = Upstream.answering(exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().add("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);  // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 1; i <= 3; i++) {
                    if (i > 1) {
                        Thread.sleep(SPACING_MS);
                    }
                    out.write(("id: " + i + "\ndata: event " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @AfterAll
    static void stop() {
        upstream.close();
    }

    @Test
    void eachEventReachesTheClientWhenTheUpstreamSendsIt() throws IOException {
        var t = Seed.tenant();
        t.route(t.service(upstream.url()), "/events", "none");
        Gateways.awaitVersion(gateway, t.save());

        List<String> events = new ArrayList<>();
        List<Long> arrivals = new ArrayList<>();
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /events/feed HTTP/1.1\r\nHost: " + t.host
                    + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String status = in.readLine();
            assertThat(status).startsWith("HTTP/1.1 200");
            // chunk size lines and event lines interleave; only the data lines matter here
            for (String line = in.readLine(); line != null && events.size() < 3; line = in.readLine()) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring(6));
                    arrivals.add(System.nanoTime());
                }
            }
        }

        assertThat(events).containsExactly("event 1", "event 2", "event 3");
        // sent 800 ms apart (1.6 s first to last); buffered, they would arrive together. Half the spacing leaves
        // room for a loaded machine.
        assertThat(TimeUnit.NANOSECONDS.toMillis(arrivals.get(2) - arrivals.get(0))).isGreaterThanOrEqualTo(SPACING_MS);
    }
}
