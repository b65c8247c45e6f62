package io.tollgate.console;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** A tenant admin's day in a real headless Chromium: services, routes, keys, and nothing of other tenants. */
class TenantConsoleBrowserTest extends WithBrowser {
    private static final Pattern FULL_KEY = Pattern.compile("tg_[a-z2-7]{12}_[a-z2-7]{52}");

    @Test
    void tenantAdminCreatesServiceRouteAndKeyThenRevokesTheKey() {
        String slug = fx.tenant();
        String email = fx.user("tenant-admin", slug);
        browser.signIn(email, ConsoleFixture.USER_PASSWORD);
        assertThat(browser.path()).isEqualTo("/t/" + slug);

        browser.open("/t/" + slug + "/services");
        assertThat(browser.text()).contains("No services yet");
        browser.screenshot("services-empty", false);
        browser.click("a.button.primary");
        browser.type("#name", "orders");
        browser.type("#targets", "ftp://10.0.0.1 1");
        browser.submit("#targets");
        assertThat(browser.find("#targets-error").getText()).contains("must be an http or https URL");
        assertThat(browser.find("#name").getAttribute("value")).isEqualTo("orders");
        assertThat(browser.find("#targets").getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.find("#name").getAttribute("aria-invalid")).isNull();
        browser.screenshot("service-form-errors", true);
        browser.type("#targets", "http://127.0.0.1:9 2\nhttp://127.0.0.1:10");
        browser.submit("#targets");
        assertThat(browser.path()).startsWith("/t/" + slug + "/services?done=service-created");
        assertThat(browser.text()).contains("Service created.").contains("orders").contains("http://127.0.0.1:10");
        browser.screenshot("services", true);

        browser.open("/t/" + slug + "/routes");
        browser.click("a.button.primary");
        browser.type("#name", "orders-api");
        new Select(browser.find("#service")).selectByVisibleText("orders");
        String path = "/" + ConsoleFixture.unique("orders");
        browser.type("#paths", path);
        browser.submit("#paths");
        assertThat(browser.text()).contains("Route created.").contains(path);
        browser.screenshot("routes", true);

        browser.open("/t/" + slug + "/keys");
        assertThat(browser.text()).contains("No API keys yet");
        browser.click("a.button.primary");
        browser.screenshot("key-form", false);
        browser.type("#name", "ci pipeline");
        browser.submit("#name");
        String shown = browser.find("#new-key").getText();
        assertThat(shown).matches(FULL_KEY.pattern());
        assertThat(browser.driver().findElement(By.cssSelector("[data-copy=new-key]")).isDisplayed()).isTrue();
        browser.screenshot("key-created", true);

        browser.open("/t/" + slug + "/keys");
        assertThat(browser.source()).doesNotContain(shown).contains(shown.substring(0, 16));
        browser.screenshot("keys", true);
        browser.clickLink("ci pipeline");
        assertThat(browser.source()).doesNotContain(shown);
        browser.screenshot("key-detail", false);
        browser.navigating(() -> browser.driver().navigate().back());

        browser.clickConfirm("form[action$=revoke] button");
        assertThat(browser.text()).contains("Key revoked.");
        assertThat(browser.find("td[data-label=Status] .badge").getText()).isEqualTo("revoked");
        browser.signOut();
    }

    @Test
    void savingAStaleFormSaysSomeoneElseChangedIt() {
        String slug = fx.tenant();
        String email = fx.user("tenant-admin", slug);
        fx.call("POST", "/api/v1/tenants/" + slug + "/services", fx.rootToken(), ConsoleFixture.json("name", "billing",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        browser.signIn(email, ConsoleFixture.USER_PASSWORD);
        browser.open("/t/" + slug + "/services/billing");
        browser.type("#retries", "2");
        fx.call("PATCH", "/api/v1/tenants/" + slug + "/services/billing", fx.rootToken(),
                ConsoleFixture.json("retries", 1), 200);
        browser.submit("#retries");
        assertThat(browser.text()).contains("Someone else changed this while you were editing");
        browser.screenshot("service-stale", false);
        var now = fx.call("GET", "/api/v1/tenants/" + slug + "/services/billing", fx.rootToken(), null, 200);
        assertThat(now.get("retries").asInt()).as("the other change stands").isEqualTo(1);
        browser.signOut();
    }

    @Test
    void tenantAdminOfBOpeningAsPagesGetsForbidden() {
        String a = fx.tenant();
        String b = fx.tenant();
        fx.call("POST", "/api/v1/tenants/" + a + "/services", fx.rootToken(), ConsoleFixture.json("name", "secret-svc",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        String adminOfB = fx.user("tenant-admin", b);
        browser.signIn(adminOfB, ConsoleFixture.USER_PASSWORD);
        for (String page : new String[]{"/t/" + a, "/t/" + a + "/services", "/t/" + a + "/services/secret-svc",
                "/t/" + a + "/routes", "/t/" + a + "/keys", "/t/" + a + "/keys/new", "/t/no-such-tenant/services",
                "/tenants", "/tenants/" + a, "/users", "/users/new", "/nodes"}) {
            browser.open(page);
            assertThat(browser.find("h1").getText()).as(page).isEqualTo("Not allowed");
            assertThat(browser.source()).as(page).doesNotContain("secret-svc");
        }
        browser.screenshot("forbidden", false);
        browser.signOut();

        PlainClient client = new PlainClient(fx.base());
        client.signIn(adminOfB, ConsoleFixture.USER_PASSWORD);
        String csrf = PlainClient.csrfOf(client.get("/t/" + b + "/services/new").body());
        HttpResponse<String> post = client.post("/t/" + a + "/services", Map.of("_csrf", csrf, "name", "sneaky",
                "targets", "http://127.0.0.1:9"));
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(client.get("/t/" + a + "/services").statusCode()).isEqualTo(403);
    }

    static String keyIn(String html) {
        Matcher m = FULL_KEY.matcher(html);
        return m.find() ? m.group() : null;
    }
}
