package io.tollgate.console;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** "Try this route" against a stand-in gateway node: status, headers and latency shown, the key never echoed. */
class TryRouteBrowserTest extends WithBrowser {
    @Test
    void tryingARouteShowsStatusHeadersAndLatencyButNotTheKey() {
        String slug = fx.tenant();
        fx.call("POST", "/api/v1/tenants/" + slug + "/services", fx.rootToken(), ConsoleFixture.json("name", "echo",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        String path = "/" + ConsoleFixture.unique("echo");
        var route = fx.call("POST", "/api/v1/tenants/" + slug + "/routes", fx.rootToken(), ConsoleFixture.json(
                "name", "echo-api", "service", "echo", "paths", new String[]{path}, "hosts", new String[]{"api.example.com"}), 201);
        var key = fx.call("POST", "/api/v1/tenants/" + slug + "/api-keys", fx.rootToken(),
                ConsoleFixture.json("name", "try"), 201).get("key").asText();

        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        browser.open("/t/" + slug + "/routes/" + route.get("id").asText() + "/try");
        browser.type("#path", "/elsewhere");
        browser.submit("#path");
        assertThat(browser.find("#path-error").getText()).contains(path);

        browser.type("#path", path + "/items");
        browser.type("#api_key", key);
        browser.submit("#path");
        assertThat(browser.find("#try-status").getText()).isEqualTo("200");
        assertThat(browser.find("#try-latency").getText()).endsWith(" ms");
        assertThat(browser.text()).contains("x-upstream").contains("from upstream");
        assertThat(browser.source()).doesNotContain(key).contains(key.substring(0, 16));
        assertThat(fx.gateway().lastKey()).isEqualTo(key);
        assertThat(fx.gateway().lastHost()).isEqualTo("api.example.com");
        browser.screenshot("route-try", true);

        browser.submit("#path");
        assertThat(browser.find("#try-status").getText()).as("the key field starts empty again").isEqualTo("401");
        browser.signOut();
    }
}
