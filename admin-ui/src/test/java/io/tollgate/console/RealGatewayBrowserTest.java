package io.tollgate.console;

import com.sun.net.httpserver.HttpServer;
import io.tollgate.db.testing.TestDatabase;
import io.tollgate.gateway.GatewayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console and a real gateway node over one database: what a tenant admin configures in the browser is what
 * the gateway serves, and revoking a key in the browser makes the gateway refuse it.
 */
class RealGatewayBrowserTest {
    private static final ConsoleFixture fx = ConsoleFixture.get();
    private static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Browser browser;
    private static HttpServer upstream;
    private static GatewayServer gateway;

    @BeforeAll
    static void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = ("{\"upstream\":\"ok\",\"path\":\"" + exchange.getRequestURI().getRawPath() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
        gateway = GatewayServer.start(TestDatabase.settings(Map.of(
                "TOLLGATE_GATEWAY_PORT", "0", "TOLLGATE_MGMT_PORT", "0", "TOLLGATE_BIND_HOST", "127.0.0.1",
                "TOLLGATE_NODE_ID", ConsoleFixture.unique("console-gw"), "TOLLGATE_USAGE_FLUSH_MS", "200",
                "TOLLGATE_SNAPSHOT_FILE", System.getProperty("java.io.tmpdir") + "/" + ConsoleFixture.unique("snap")
                        + ".json")));
        browser = new Browser(fx.base());
    }

    @AfterAll
    static void stop() {
        browser.close();
        gateway.stop();
        upstream.stop(0);
    }

    @Test
    void aKeyCreatedInTheConsoleWorksAtTheGatewayShowsOnTheDashboardAndIsRefusedOnceRevoked() throws Exception {
        String slug = fx.tenant();
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);

        browser.open("/t/" + slug + "/services/new");
        browser.type("#name", "backend");
        browser.type("#targets", "http://127.0.0.1:" + upstream.getAddress().getPort() + " 1");
        browser.submit("#targets");
        assertThat(browser.text()).contains("Service created.");

        String path = "/" + ConsoleFixture.unique("shop");
        browser.open("/t/" + slug + "/routes/new");
        browser.type("#name", "shop");
        new Select(browser.find("#service")).selectByVisibleText("backend");
        browser.type("#paths", path);
        browser.submit("#paths");
        assertThat(browser.text()).contains("Route created.");

        browser.open("/t/" + slug + "/keys/new");
        browser.type("#name", "storefront");
        browser.submit("#name");
        String key = browser.find("#new-key").getText();

        String url = "http://127.0.0.1:" + gateway.port() + path + "/cart";
        HttpResponse<String> served = awaitStatus(url, key, 200);
        assertThat(served.body()).contains("\"upstream\":\"ok\"").contains(path + "/cart");
        assertThat(call(url, null).statusCode()).as("no key").isEqualTo(401);
        for (int i = 0; i < 5; i++) {
            assertThat(call(url, key).statusCode()).isEqualTo(200);
        }

        // The node flushes its per-minute usage every 200 ms here; the dashboard reads it from usage_rollups.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long requests = 0;
        while (requests < 7 && System.nanoTime() < deadline) {
            browser.open("/t/" + slug);
            requests = Long.parseLong(browser.find("dl dd").getText().replaceAll("[^0-9].*$", "")
                    .replace(",", ""));
            if (requests < 7) {
                Thread.sleep(200);
            }
        }
        // At least the 6 answered and the 1 refused here (a 401 while the key was still on its way counts too).
        assertThat(requests).as("requests on the dashboard").isGreaterThanOrEqualTo(7);
        assertThat(browser.text()).contains("shop").doesNotContain("No traffic");
        browser.screenshot("dashboard-live-traffic", false);

        browser.open("/t/" + slug + "/keys");
        browser.clickLink("storefront");
        browser.clickConfirm("form[action$=revoke] button");
        assertThat(browser.text()).contains("Key revoked.");
        HttpResponse<String> refused = awaitStatus(url, key, 401);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        browser.signOut();
    }

    /** Config reaches the node within about a second; allow a few. */
    private static HttpResponse<String> awaitStatus(String url, String key, int status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> last = call(url, key);
        while (last.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            last = call(url, key);
        }
        assertThat(last.statusCode()).as(last.body()).isEqualTo(status);
        return last;
    }

    private static HttpResponse<String> call(String url, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (key != null) {
            request.header("X-API-Key", key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
