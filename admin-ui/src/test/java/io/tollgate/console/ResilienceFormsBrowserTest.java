package io.tollgate.console;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service resilience settings (load balancing, outlier ejection, circuit breaker, health checks) and the route
 * deadline and response cache settings, saved through the console in a real headless Chromium: errors beside their
 * fields, what was typed kept, and what was saved read back through the admin API.
 */
class ResilienceFormsBrowserTest extends WithBrowser {
    @Test
    void tenantAdminSavesServiceResilienceSettings() {
        String slug = fx.tenant();
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        browser.open("/t/" + slug + "/services/new");
        assertThat(browser.find("#outlier_consecutive_failures").getAttribute("value")).as("defaults shown")
                .isEqualTo("5");
        browser.type("#name", "catalog");
        browser.type("#targets", "http://127.0.0.1:9 1\nhttp://127.0.0.1:10 1");
        new Select(browser.find("#lb_policy")).selectByValue("consistent-hash");
        browser.type("#hash_header", "X-Customer");
        browser.type("#outlier_consecutive_failures", "3");
        browser.type("#outlier_base_ejection_ms", "5000");
        browser.type("#breaker_consecutive_failures", "4");
        browser.type("#breaker_open_ms", "2000");
        browser.type("#breaker_half_open_requests", "2");
        browser.type("#health_check_path", "/healthz");
        browser.type("#health_check_interval_ms", "1000");
        browser.type("#health_check_timeout_ms", "5000");
        browser.type("#health_check_healthy_threshold", "2");
        browser.type("#health_check_unhealthy_threshold", "abc");
        browser.submit("#name");

        assertThat(browser.find("#health_check_unhealthy_threshold-error").getText()).isNotBlank();
        assertThat(browser.find("#health_check_unhealthy_threshold").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#breaker_open_ms").getAttribute("aria-invalid")).isNull();
        // what was typed is kept
        assertThat(new Select(browser.find("#lb_policy")).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("consistent-hash");
        assertThat(browser.find("#hash_header").getAttribute("value")).isEqualTo("X-Customer");
        assertThat(browser.find("#health_check_path").getAttribute("value")).isEqualTo("/healthz");
        assertThat(browser.find("#breaker_half_open_requests").getAttribute("value")).isEqualTo("2");
        browser.screenshot("service-resilience-errors", false);

        browser.type("#health_check_unhealthy_threshold", "3");
        browser.submit("#name");
        assertThat(browser.find("#health_check_timeout_ms-error").getText())
                .contains("must not be longer than health_check_interval_ms");
        assertThat(browser.find("#health_check_timeout_ms").getAttribute("value")).isEqualTo("5000");
        assertThat(browser.find("#health_check_unhealthy_threshold").getAttribute("aria-invalid")).isNull();

        browser.type("#health_check_timeout_ms", "500");
        browser.submit("#name");
        assertThat(browser.text()).contains("Service created.");

        JsonNode saved = fx.call("GET", "/api/v1/tenants/" + slug + "/services/catalog", fx.rootToken(), null, 200);
        assertThat(saved.get("lb_policy").asText()).isEqualTo("consistent-hash");
        assertThat(saved.get("hash_header").asText()).isEqualTo("X-Customer");
        assertThat(saved.get("outlier_consecutive_failures").asInt()).isEqualTo(3);
        assertThat(saved.get("outlier_base_ejection_ms").asInt()).isEqualTo(5000);
        assertThat(saved.get("breaker_consecutive_failures").asInt()).isEqualTo(4);
        assertThat(saved.get("breaker_open_ms").asInt()).isEqualTo(2000);
        assertThat(saved.get("breaker_half_open_requests").asInt()).isEqualTo(2);
        assertThat(saved.get("health_check_path").asText()).isEqualTo("/healthz");
        assertThat(saved.get("health_check_interval_ms").asInt()).isEqualTo(1000);
        assertThat(saved.get("health_check_timeout_ms").asInt()).isEqualTo(500);
        assertThat(saved.get("health_check_unhealthy_threshold").asInt()).isEqualTo(3);

        // the edit form shows them; clearing the optional texts turns them off
        browser.open("/t/" + slug + "/services/catalog");
        assertThat(browser.find("#breaker_open_ms").getAttribute("value")).isEqualTo("2000");
        browser.type("#health_check_path", "");
        browser.type("#hash_header", "");
        new Select(browser.find("#lb_policy")).selectByValue("least-in-flight");
        browser.submit("#name");
        assertThat(browser.text()).contains("Service saved.");
        JsonNode edited = fx.call("GET", "/api/v1/tenants/" + slug + "/services/catalog", fx.rootToken(), null, 200);
        assertThat(edited.get("health_check_path").isNull()).isTrue();
        assertThat(edited.get("hash_header").isNull()).isTrue();
        assertThat(edited.get("lb_policy").asText()).isEqualTo("least-in-flight");
        assertThat(edited.get("breaker_open_ms").asInt()).isEqualTo(2000);
        browser.signOut();
    }

    @Test
    void tenantAdminSavesRouteDeadlineAndCacheSettingsAndPurgesTheCache() {
        String slug = fx.tenant();
        fx.call("POST", "/api/v1/tenants/" + slug + "/services", fx.rootToken(), ConsoleFixture.json("name", "pages",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        browser.open("/t/" + slug + "/routes/new");
        assertThat(browser.find("#cache_ttl_seconds").getAttribute("value")).as("default shown").isEqualTo("60");
        browser.type("#name", "pages-api");
        new Select(browser.find("#service")).selectByVisibleText("pages");
        String path = "/" + ConsoleFixture.unique("pages");
        browser.type("#paths", path);
        browser.type("#deadline_ms", "2500");
        browser.find("#cache_enabled").click();
        browser.find("#cache_per_consumer").click();
        browser.type("#cache_ttl_seconds", "0");
        browser.type("#cache_stale_if_error_seconds", "30");
        browser.submit("#name");

        assertThat(browser.find("#cache_ttl_seconds-error").getText()).isNotBlank();
        assertThat(browser.find("#cache_ttl_seconds").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#cache_enabled").isSelected()).as("ticked boxes stay ticked").isTrue();
        assertThat(browser.find("#cache_per_consumer").isSelected()).isTrue();
        assertThat(browser.find("#deadline_ms").getAttribute("value")).isEqualTo("2500");
        assertThat(browser.find("#cache_stale_if_error_seconds").getAttribute("value")).isEqualTo("30");
        browser.screenshot("route-cache-errors", false);

        browser.type("#cache_ttl_seconds", "120");
        browser.submit("#name");
        assertThat(browser.text()).contains("Route created.");
        JsonNode saved = fx.call("GET", "/api/v1/tenants/" + slug + "/routes/pages-api", fx.rootToken(), null, 200);
        assertThat(saved.get("deadline_ms").asInt()).isEqualTo(2500);
        assertThat(saved.get("cache_enabled").asBoolean()).isTrue();
        assertThat(saved.get("cache_per_consumer").asBoolean()).isTrue();
        assertThat(saved.get("cache_ttl_seconds").asInt()).isEqualTo(120);
        assertThat(saved.get("cache_stale_if_error_seconds").asInt()).isEqualTo(30);

        browser.open("/t/" + slug + "/routes/pages-api");
        assertThat(browser.find("#cache_enabled").isSelected()).isTrue();
        browser.clickConfirm("form[action$=purge-cache] button");
        assertThat(browser.text()).contains("Cache purge sent");
        JsonNode purges = fx.call("GET", "/api/v1/audit-events?tenant=" + slug + "&action=route.cache.purge",
                fx.rootToken(), null, 200);
        assertThat(purges.get("items")).hasSize(1);

        // unticking turns caching off and clears the deadline
        browser.open("/t/" + slug + "/routes/pages-api");
        browser.find("#cache_enabled").click();
        browser.type("#deadline_ms", "");
        browser.submit("#name");
        assertThat(browser.text()).contains("Route saved.");
        JsonNode edited = fx.call("GET", "/api/v1/tenants/" + slug + "/routes/pages-api", fx.rootToken(), null, 200);
        assertThat(edited.get("cache_enabled").asBoolean()).isFalse();
        assertThat(edited.get("deadline_ms").isNull()).isTrue();
        assertThat(edited.get("cache_ttl_seconds").asInt()).isEqualTo(120);
        browser.open("/t/" + slug + "/routes/pages-api");
        assertThat(browser.source()).doesNotContain("purge-cache");
        browser.signOut();
    }
}
