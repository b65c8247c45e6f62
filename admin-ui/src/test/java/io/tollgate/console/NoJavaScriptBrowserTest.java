package io.tollgate.console;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The core flows with JavaScript turned off: every form still works, confirmations just are not asked. */
class NoJavaScriptBrowserTest {
    private static final Pattern FULL_KEY = Pattern.compile("tg_[a-z2-7]{12}_[a-z2-7]{52}");
    private static final ConsoleFixture fx = ConsoleFixture.get();
    private static Browser browser;

    @BeforeAll
    static void start() {
        browser = new Browser(fx.base(), false);
    }

    @AfterAll
    static void stop() {
        browser.close();
    }

    @Test
    void coreFlowsWorkWithoutJavaScript() {
        String slug = fx.tenant();
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        assertThat(browser.path()).isEqualTo("/t/" + slug);

        browser.open("/t/" + slug + "/services/new");
        browser.type("#name", "nojs");
        browser.type("#targets", "http://127.0.0.1:9");
        browser.submit("#name");
        assertThat(browser.text()).contains("Service created.");

        browser.open("/t/" + slug + "/routes/new");
        browser.type("#name", "nojs-route");
        new Select(browser.find("#service")).selectByVisibleText("nojs");
        browser.type("#paths", "/" + ConsoleFixture.unique("nojs"));
        browser.submit("#name");
        assertThat(browser.text()).contains("Route created.");

        browser.open("/t/" + slug + "/keys/new");
        browser.type("#name", "nojs-key");
        browser.submit("#name");
        assertThat(FULL_KEY.matcher(browser.find("#new-key").getText()).matches()).isTrue();
        assertThat(browser.driver().findElement(By.cssSelector("[data-copy]")).isDisplayed())
                .as("the copy button needs script, so it stays hidden").isFalse();
        browser.screenshot("key-created-nojs", false);

        browser.open("/t/" + slug + "/keys");
        browser.click("form[action$=revoke] button");
        assertThat(browser.text()).contains("Key revoked.");
        browser.signOut();
        assertThat(browser.path()).startsWith("/sign-in");
    }

    @Test
    void rotatingAKeyKeepsTheOldOneForTheOverlapAndShowsTheNewOnce() {
        String slug = fx.tenant();
        var created = fx.call("POST", "/api/v1/tenants/" + slug + "/api-keys", fx.rootToken(),
                ConsoleFixture.json("name", "rotating", "rate_per_second", 7), 201);
        String oldKey = created.get("key").asText();
        String oldId = created.get("id").asText();
        browser.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        browser.open("/t/" + slug + "/keys/" + oldId);
        browser.type("#overlap_hours", "48");
        browser.submit("#overlap_hours");
        String newKey = browser.find("#new-key").getText();
        assertThat(newKey).matches(FULL_KEY.pattern()).isNotEqualTo(oldKey);

        var keys = fx.call("GET", "/api/v1/tenants/" + slug + "/api-keys", fx.rootToken(), null, 200).get("items");
        assertThat(keys).hasSize(2);
        for (var k : keys) {
            assertThat(k.get("status").asText()).isEqualTo("active");
            assertThat(k.get("name").asText()).isEqualTo("rotating");
            assertThat(k.get("rate_per_second").asInt()).isEqualTo(7);
            if (k.get("id").asText().equals(oldId)) {
                assertThat(k.get("expires_at").asText()).as("old key ends after the overlap").isNotEmpty()
                        .isNotEqualTo("null");
            }
        }
        browser.signOut();
    }
}
