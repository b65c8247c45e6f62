package io.tollgate.gateway;

import io.tollgate.db.model.Service;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static io.tollgate.gateway.HealthVerdicts.checked;
import static io.tollgate.gateway.HealthVerdicts.health;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Active health checks of HTTP/2 upstreams, against the real services: gRPC targets through
 * {@code grpc.health.v1.Health/Check} on go-orders (grpc-go's health service), h2c targets with a GET over HTTP/2 on
 * rust-inventory. A check that fails marks the target unhealthy, and the gateway stops sending it requests.
 */
class Http2HealthCheckTest extends WithGateway {
    static ExampleServices.Running go;
    static ExampleServices.Running rust;

    @AfterAll
    static void stop() {
        if (go != null) {
            go.close();
        }
        if (rust != null) {
            rust.close();
        }
    }

    @Test
    void grpcTargetAnsweringServingIsHealthy() {
        go = go == null ? ExampleServices.goOrders() : go;
        var t = Seed.tenant();
        Service s = t.service(go.grpcUrl(), "grpc", checked("/grpc.health.v1.Health/Check"));
        t.route(s, "/tollgate.examples.orders.Orders", "none");
        Gateways.awaitVersion(gateway, t.save());

        // it starts healthy: wait for checks to have run, then for the verdict to still be healthy
        Gateways.await("checks of the gRPC target", () -> !"absent".equals(health(gateway, s, go.grpcUrl())));
        sleep(600);
        assertThat(health(gateway, s, go.grpcUrl())).isEqualTo("1");
    }

    @Test
    void grpcTargetWithoutTheCheckedMethodBecomesUnhealthyAndGetsNoCalls() throws IOException {
        go = go == null ? ExampleServices.goOrders() : go;
        var t = Seed.tenant();
        // grpc-go answers UNIMPLEMENTED for a method it does not have: that is not SERVING
        Service s = t.service(go.grpcUrl(), "grpc", checked("/grpc.health.v1.Health/NoSuchMethod"));
        t.route(s, "/tollgate.examples.orders.Orders", "none");
        Gateways.awaitVersion(gateway, t.save());

        Gateways.await("the gRPC target marked unhealthy", () -> "0".equals(health(gateway, s, go.grpcUrl())));
        RawHttp.Reply reply = RawHttp.send(gateway.port(), "POST", t.host,
                "/tollgate.examples.orders.Orders/GetOrder", new byte[5]);
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.text()).contains("no-healthy-upstream");
    }

    @Test
    void h2cTargetIsCheckedWithAGetOverHttp2() {
        rust = rust == null ? ExampleServices.rustInventory() : rust;
        var t = Seed.tenant();
        Service good = t.service(rust.httpUrl(), "h2c", checked("/healthz"));
        Service bad = t.service(rust.httpUrl(), "h2c", checked("/healthz?status=503"));
        t.route(good, "/good", "none");
        t.route(bad, "/bad", "none");
        Gateways.awaitVersion(gateway, t.save());

        Gateways.await("the failing h2c target marked unhealthy",
                () -> "0".equals(health(gateway, bad, rust.httpUrl())));
        assertThat(health(gateway, good, rust.httpUrl())).isEqualTo("1");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
