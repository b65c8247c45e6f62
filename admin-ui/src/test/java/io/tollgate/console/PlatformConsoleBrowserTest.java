package io.tollgate.console;

import io.tollgate.db.store.ConfigStateStore;
import io.tollgate.db.store.NodeStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.support.ui.Select;

import java.time.OffsetDateTime;

import static org.assertj.core.api.Assertions.assertThat;

/** A platform admin's pages in a real headless Chromium: tenants and plans, users and roles, gateway nodes. */
class PlatformConsoleBrowserTest extends WithBrowser {
    @BeforeAll
    static void signIn() {
        browser.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
    }

    @Test
    void platformAdminCreatesATenantEditsItsPlanAndSuspendsIt() {
        browser.open("/tenants");
        browser.type("#slug", "Not A Slug");
        browser.type("#name", "Acme");
        browser.submit("#name");
        assertThat(browser.find("#slug-error").getText()).contains("lowercase letters");
        String slug = ConsoleFixture.unique("acme");
        browser.type("#slug", slug);
        browser.type("#quota", "100000");
        new Select(browser.find("#quota_period")).selectByValue("day");
        browser.submit("#slug");
        assertThat(browser.path()).startsWith("/tenants/" + slug);
        assertThat(browser.text()).contains("Tenant created.");

        browser.type("#rate_per_second", "lots");
        browser.submit("#rate_per_second");
        assertThat(browser.find("#rate_per_second-error").getText()).contains("whole number");
        browser.type("#rate_per_second", "50");
        browser.submit("#rate_per_second");
        assertThat(browser.text()).contains("Tenant saved.");
        assertThat(browser.find("#rate_per_second").getAttribute("value")).isEqualTo("50");
        browser.screenshot("tenant-form", true);

        browser.clickConfirm("form[action$=status] button");
        assertThat(browser.find("h1 .badge").getText()).isEqualTo("suspended");
        var tenant = fx.call("GET", "/api/v1/tenants/" + slug, fx.rootToken(), null, 200);
        assertThat(tenant.get("status").asText()).isEqualTo("suspended");
        assertThat(tenant.at("/plan/rate_per_second").asInt()).isEqualTo(50);

        browser.open("/tenants?q=" + slug);
        assertThat(browser.text()).contains(slug).contains("suspended");
        browser.open("/tenants");
        browser.screenshot("tenants", true);
    }

    @Test
    void platformAdminCreatesAUserAndGrantsRoles() {
        String slug = fx.tenant();
        browser.open("/users/new");
        String email = ConsoleFixture.unique("ops") + "@tollgate.test";
        browser.type("#email", email);
        browser.type("#password", "short");
        browser.type("#grants", "tenant-admin no-such-tenant");
        browser.submit("#email");
        assertThat(browser.find("#password-error").getText()).contains("at least 12 characters");
        assertThat(browser.find("#grants-error").getText()).contains("no tenant with slug");
        browser.screenshot("user-form-errors", false);
        browser.type("#password", "a-long-enough-password");
        browser.type("#grants", "tenant-admin " + slug + "\nauditor " + slug);
        browser.submit("#email");
        assertThat(browser.text()).contains("User created.");
        browser.open("/users?q=" + email);
        assertThat(browser.text()).contains("tenant-admin " + slug).contains("auditor " + slug);
        browser.open("/users");
        browser.screenshot("users", true);

        browser.open("/users?q=" + email);
        browser.clickLink(email);
        browser.type("#grants", "auditor");
        browser.submit("#grants");
        assertThat(browser.text()).contains("User saved.");
        var users = fx.call("GET", "/api/v1/users?limit=200", fx.rootToken(), null, 200);
        var user = java.util.stream.StreamSupport.stream(users.get("items").spliterator(), false)
                .filter(u -> u.get("email").asText().equals(email)).findFirst().orElseThrow();
        assertThat(user.get("grants")).hasSize(1);
        assertThat(user.at("/grants/0/role").asText()).isEqualTo("auditor");
    }

    @Test
    void gatewayNodesShowTheirConfigVersion() {
        long version = new ConfigStateStore(fx.db().dsl()).version();
        String synced = ConsoleFixture.unique("node");
        String behind = ConsoleFixture.unique("node");
        new NodeStore(fx.db().dsl()).heartbeat(synced, "gw-1.internal", version + 1000, OffsetDateTime.now());
        new NodeStore(fx.db().dsl()).heartbeat(behind, "gw-2.internal", 1, OffsetDateTime.now());
        browser.open("/nodes");
        String text = browser.text();
        assertThat(text).contains(synced).contains(behind).contains("in sync").contains("behind");
        browser.screenshot("nodes", true);
        browser.open("/nodes?state=behind&q=" + behind);
        assertThat(browser.text()).contains(behind).doesNotContain(synced);
    }
}
