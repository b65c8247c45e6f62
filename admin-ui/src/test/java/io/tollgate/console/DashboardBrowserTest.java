package io.tollgate.console;

import io.tollgate.db.model.UsageMinute;
import io.tollgate.db.store.UsageReportStore;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The tenant dashboard, drawn from usage rollups inserted as a gateway node would write them. */
class DashboardBrowserTest extends WithBrowser {
    @Test
    void dashboardChartsTrafficFromRollups() {
        String slug = fx.tenant();
        fx.call("PATCH", "/api/v1/tenants/" + slug, fx.rootToken(),
                ConsoleFixture.json("plan", Map.of("quota", 10000, "quota_period", "day")), 200);
        var tenant = fx.call("GET", "/api/v1/tenants/" + slug, fx.rootToken(), null, 200);
        UUID tenantId = UUID.fromString(tenant.get("id").asText());
        fx.call("POST", "/api/v1/tenants/" + slug + "/services", fx.rootToken(), ConsoleFixture.json("name", "orders",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        UUID fast = routeId(slug, "fast-route");
        UUID slow = routeId(slug, "slow-route");
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
        UsageReportStore store = new UsageReportStore(fx.db().dsl());
        for (int i = 1; i <= 30; i++) {
            OffsetDateTime minute = now.minusMinutes(i);
            // fast: 100 requests a minute, all within 10 ms; slow: 20 a minute, 95% within 250 ms, the rest within 1 s.
            store.add(new UsageMinute(tenantId, fast, minute, 100, i % 5, 0, List.of(40L, 60L, 0L, 0L, 0L, 0L, 0L,
                    0L, 0L, 0L, 0L, 0L)));
            store.add(new UsageMinute(tenantId, slow, minute, 20, 0, i % 3 == 0 ? 2 : 0, List.of(0L, 0L, 0L, 0L, 5L,
                    14L, 0L, 1L, 0L, 0L, 0L, 0L)));
        }
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        assertThat(browser.path()).isEqualTo("/t/" + slug);
        assertThat(browser.driver().findElements(By.cssSelector("section.chart svg"))).hasSize(4);
        String text = browser.text();
        assertThat(text).contains("3,600 in the last hour").contains("fast-route").contains("slow-route")
                .contains("≤ 10 ms").contains("≤ 250 ms").contains("3,600 of 10,000 requests");
        assertThat(browser.find("svg polyline.line-requests").getAttribute("points")).isNotBlank();
        browser.screenshot("dashboard", true);

        browser.click("a[href$='range=day']");
        assertThat(browser.text()).contains("3,600 in the last 24 hours");
        browser.screenshot("dashboard-day", false);
        browser.signOut();
    }

    @Test
    void dashboardWithoutTrafficSaysWhatToDoNext() {
        String slug = fx.tenant();
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        assertThat(browser.text()).contains("No traffic yet, and no routes to carry it.");
        assertThat(browser.driver().findElements(By.cssSelector("polyline"))).isEmpty();
        browser.screenshot("dashboard-empty", false);
        browser.signOut();
    }

    private static UUID routeId(String slug, String name) {
        var route = fx.call("POST", "/api/v1/tenants/" + slug + "/routes", fx.rootToken(), ConsoleFixture.json(
                "name", name, "service", "orders", "paths", new String[]{"/" + ConsoleFixture.unique(name)}), 201);
        return UUID.fromString(route.get("id").asText());
    }
}
