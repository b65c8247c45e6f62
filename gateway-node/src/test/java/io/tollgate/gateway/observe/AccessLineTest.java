package io.tollgate.gateway.observe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tollgate.common.privacy.ClientIps;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Completion;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.usage.UsageRecorder;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole access lines: each one stands alone, whichever line the same thread wrote before it. */
class AccessLineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Exchange exchange(String path) {
        Exchange exchange = new Exchange("GET", path, null, "h", "http", "192.0.2.7", new HttpFields(),
                InputStream.nullInputStream(), -1, false, System.nanoTime(), null);
        exchange.requestId("req-" + path.length());
        return exchange;
    }

    private static JsonNode parse(String line) throws Exception {
        return JSON.readTree(line);
    }

    @Test
    void linesOfOneThreadNeverCarryPartsOfTheLineBefore() throws Exception {
        try (RecordFilter filter = new RecordFilter(new GatewayMetrics(), new UsageRecorder(Clock.systemUTC()),
                ClientIps.create("full", null), "off")) {
            List<String> paths = List.of("/short", "/" + "x".repeat(20_000), "/a", "/ü-non-ascii", "/b");
            List<String> lines = new ArrayList<>();
            for (String path : paths) {
                lines.add(filter.line(exchange(path), new Completion(200, 0, 12, false), "acme", "orders", null,
                        1_204_000));
            }
            for (int i = 0; i < paths.size(); i++) {
                JsonNode line = parse(lines.get(i));
                assertThat(line.get("path").asText()).isEqualTo(paths.get(i));
                assertThat(line.get("request_id").asText()).isEqualTo("req-" + paths.get(i).length());
                assertThat(line.get("total_ms").asText()).isEqualTo("1.204");
                assertThat(line.get("client").asText()).isEqualTo("192.0.2.7");
                assertThat(lines.get(i)).startsWith("{\"ts\":\"").endsWith(",\"client\":\"192.0.2.7\"}");
            }
        }
    }

    @Test
    void aLineIsTheSameOnAPlatformAndOnAVirtualThread() throws Exception {
        try (RecordFilter filter = new RecordFilter(new GatewayMetrics(), new UsageRecorder(Clock.systemUTC()),
                ClientIps.create("full", null), "off")) {
            Exchange exchange = exchange("/orders/1");
            Completion completion = new Completion(429, 3, 40, true);
            String platform = filter.line(exchange, completion, "acme", "orders", ProblemType.RATE_LIMITED, 5_000);
            AtomicReference<String> onVirtual = new AtomicReference<>();
            Thread.ofVirtual().start(() -> onVirtual.set(filter.line(exchange, completion, "acme", "orders",
                    ProblemType.RATE_LIMITED, 5_000))).join();

            // the timestamps differ; everything after them is the same
            assertThat(onVirtual.get().substring(onVirtual.get().indexOf(",\"request_id\"")))
                    .isEqualTo(platform.substring(platform.indexOf(",\"request_id\"")))
                    .endsWith(",\"aborted\":true}");
            assertThat(parse(platform).get("problem").asText()).isEqualTo("rate-limited");
        }
    }
}
