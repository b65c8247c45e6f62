package io.tollgate.console;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Signing in and out in a real headless Chromium. */
class SignInBrowserTest extends WithBrowser {
    @Test
    void platformAdminSignsInAndLandsOnTenants() {
        browser.open("/sign-in");
        browser.screenshot("sign-in", true);
        browser.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        assertThat(browser.path()).startsWith("/tenants");
        browser.open("/?stay=1");
        browser.screenshot("home", false);
        assertThat(browser.text()).contains("platform-admin");
        browser.signOut();
        assertThat(browser.path()).startsWith("/sign-in");
        assertThat(browser.text()).contains("You are signed out.");
        browser.open("/?stay=1");
        assertThat(browser.path()).startsWith("/sign-in");
    }

    @Test
    void signingInWorksFromTheKeyboardAlone() {
        browser.open("/sign-in");
        browser.driver().manage().deleteAllCookies();
        browser.open("/sign-in");
        var active = (java.util.function.Supplier<org.openqa.selenium.WebElement>)
                () -> browser.driver().switchTo().activeElement();
        var body = browser.find("body");
        body.sendKeys(org.openqa.selenium.Keys.TAB);
        assertThat(active.get().getText()).isEqualTo("Skip to content");
        active.get().sendKeys(org.openqa.selenium.Keys.TAB);
        active.get().sendKeys(org.openqa.selenium.Keys.TAB);
        assertThat(active.get().getAttribute("id")).isEqualTo("email");
        active.get().sendKeys(ConsoleFixture.ADMIN_EMAIL, org.openqa.selenium.Keys.TAB);
        assertThat(active.get().getAttribute("id")).isEqualTo("password");
        browser.navigating(() -> active.get().sendKeys(ConsoleFixture.ADMIN_PASSWORD, org.openqa.selenium.Keys.ENTER));
        assertThat(browser.path()).startsWith("/tenants");
        browser.signOut();
    }

    @Test
    void wrongPasswordIsRefusedBesideTheForm() {
        browser.signIn(ConsoleFixture.ADMIN_EMAIL, "not-the-password");
        assertThat(browser.text()).contains("The email or password is not right.");
        assertThat(browser.find("#password").getAttribute("value")).isEmpty();
        browser.screenshot("sign-in-failed", false);
    }

    @Test
    void aFormPostedWithoutItsCsrfTokenIsRefused() {
        browser.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        browser.open("/?stay=1");
        ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript(
                "document.querySelector('.signout input[name=_csrf]').remove();");
        browser.signOut();
        assertThat(browser.text()).contains("Form expired or not from this console");
        browser.screenshot("csrf-refused", false);
        browser.open("/?stay=1");
        assertThat(browser.path()).as("the refused sign-out left the session alone").startsWith("/?stay=1");
        browser.signOut();
    }
}
