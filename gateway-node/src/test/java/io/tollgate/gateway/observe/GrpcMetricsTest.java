package io.tollgate.gateway.observe;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** gRPC call metrics: labelled by service, method and status, with label values a client cannot multiply. */
class GrpcMetricsTest {

    private static long series(String exposition, String metric) {
        return Arrays.stream(exposition.split("\n")).filter(line -> line.startsWith(metric + "{")).count();
    }

    @Test
    void callsAreCountedByServiceMethodAndStatus() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "0", true);
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "0", true);
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "5", true);

        String out = metrics.render();
        assertThat(out).contains("tollgate_grpc_calls_total{tenant=\"acme\",route=\"orders\","
                + "grpc_service=\"acme.v1.Orders\",grpc_method=\"GetOrder\",grpc_status=\"0\"} 2");
        assertThat(out).contains("grpc_method=\"GetOrder\",grpc_status=\"5\"} 1");
    }

    @Test
    void methodsBeyondTheLimitPerRouteAreCountedAsOther() {
        GatewayMetrics metrics = new GatewayMetrics();
        for (int i = 0; i < GatewayMetrics.GRPC_METHODS_PER_ROUTE + 50; i++) {
            metrics.grpcCall("acme", "orders", "/acme.v1.Orders/Invented" + i, "12", true);
        }

        String out = metrics.render();
        assertThat(series(out, "tollgate_grpc_calls_total")).isEqualTo(GatewayMetrics.GRPC_METHODS_PER_ROUTE + 1);
        assertThat(out).contains("grpc_service=\"other\",grpc_method=\"other\",grpc_status=\"12\"} 50");
    }

    @Test
    void refusedCallsCannotClaimMethodNames() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "0", true);
        // callers without a key inventing methods: refused by the gateway, never reaching the upstream
        for (int i = 0; i < GatewayMetrics.GRPC_METHODS_PER_ROUTE + 10; i++) {
            metrics.grpcCall("acme", "orders", "/x.Y/Junk" + i, "16", false);
        }
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "16", false);
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/ListOrders", "0", true);

        String out = metrics.render();
        assertThat(out).doesNotContain("Junk");
        assertThat(out).contains("grpc_service=\"other\",grpc_method=\"other\",grpc_status=\"16\"} "
                + (GatewayMetrics.GRPC_METHODS_PER_ROUTE + 10));
        assertThat(out).contains("grpc_method=\"GetOrder\",grpc_status=\"16\"} 1");
        assertThat(out).contains("grpc_method=\"ListOrders\",grpc_status=\"0\"} 1");
    }

    @Test
    void pathsThatAreNotGrpcMethodsAndUnknownStatusesAreOther() {
        GatewayMetrics metrics = new GatewayMetrics();
        metrics.grpcCall("acme", "orders", "/not/a/grpc/path", "0", true);
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/Get\"Order", "0", true);
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "99", true);
        metrics.grpcCall("acme", "orders", "/acme.v1.Orders/GetOrder", "", true);

        String out = metrics.render();
        assertThat(out).contains("grpc_service=\"other\",grpc_method=\"other\",grpc_status=\"0\"} 2");
        assertThat(out).contains("grpc_method=\"GetOrder\",grpc_status=\"other\"} 1");
        assertThat(out).contains("grpc_method=\"GetOrder\",grpc_status=\"none\"} 1");
    }
}
