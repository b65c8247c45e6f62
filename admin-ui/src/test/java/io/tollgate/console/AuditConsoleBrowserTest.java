package io.tollgate.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An auditor reads, filters and exports the trail in a real headless Chromium. */
class AuditConsoleBrowserTest extends WithBrowser {
    @Test
    void tenantAuditorSeesFiltersAndExportsOnlyTheirTenantsTrail() throws Exception {
        String a = fx.tenant();
        String b = fx.tenant();
        fx.call("POST", "/api/v1/tenants/" + a + "/services", fx.rootToken(), ConsoleFixture.json("name", "ledger",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        fx.call("PATCH", "/api/v1/tenants/" + a + "/services/ledger", fx.rootToken(),
                ConsoleFixture.json("retries", 3), 200);
        fx.call("POST", "/api/v1/tenants/" + b + "/services", fx.rootToken(), ConsoleFixture.json("name", "other-ledger",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        String auditor = fx.user("auditor", a);

        browser.signIn(auditor, ConsoleFixture.USER_PASSWORD);
        assertThat(browser.path()).startsWith("/audit");
        String text = browser.text();
        assertThat(text).contains("service.create").contains("service.update").doesNotContain("other-ledger");
        browser.screenshot("audit", true);

        browser.type("#action", "service.update");
        browser.submit("#action");
        List<WebElement> rows = browser.driver().findElements(By.cssSelector("tbody tr"));
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().getText()).contains("service.update");
        browser.navigating(() -> rows.getFirst().findElement(By.cssSelector("a")).click());
        assertThat(browser.find("h1").getText()).contains("service.update");
        WebElement retries = browser.driver().findElements(By.cssSelector("table.diff tbody tr")).stream()
                .filter(r -> r.getText().startsWith("retries")).findFirst().orElseThrow();
        assertThat(retries.getText()).contains("0").contains("3").contains("changed");
        browser.screenshot("audit-event", true);

        browser.open("/audit?tenant=" + b);
        assertThat(browser.find("h1").getText()).isEqualTo("Not allowed");

        browser.open("/audit");
        String csvUrl = browser.find("a[href^='/audit/export?format=csv']").getAttribute("href");
        String ndjsonUrl = browser.find("a[href^='/audit/export?format=ndjson']").getAttribute("href");
        HttpResponse<String> csv = download(csvUrl);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("content-type").orElseThrow()).startsWith("text/csv");
        assertThat(csv.headers().firstValue("content-disposition").orElseThrow()).contains("tollgate-audit.csv");
        assertThat(csv.body()).startsWith("id,occurred_at,").contains("service.update").doesNotContain("other-ledger");
        HttpResponse<String> ndjson = download(ndjsonUrl);
        assertThat(ndjson.statusCode()).isEqualTo(200);
        for (String line : ndjson.body().split("\n")) {
            JsonNode event = Json.mapper().readTree(line);
            assertThat(event.get("tenant_id").asText()).isNotBlank();
        }
        browser.open("/audit?action=audit.export");
        assertThat(browser.driver().findElements(By.cssSelector("tbody tr"))).hasSize(2);
        browser.signOut();
    }

    @Test
    void tenantAdminWithoutAuditorRoleCannotReadTheTrail() {
        String a = fx.tenant();
        browser.signIn(fx.user("tenant-admin", a), ConsoleFixture.USER_PASSWORD);
        browser.open("/audit");
        assertThat(browser.find("h1").getText()).isEqualTo("Not allowed");
        browser.open("/audit/export?format=csv");
        assertThat(browser.find("h1").getText()).isEqualTo("Not allowed");
        browser.signOut();
    }

    /** Fetches a link with the browser's session cookie, as a download would. */
    private static HttpResponse<String> download(String url) throws Exception {
        String session = browser.driver().manage().getCookieNamed("tg_session").getValue();
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Cookie", "tg_session=" + session).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
