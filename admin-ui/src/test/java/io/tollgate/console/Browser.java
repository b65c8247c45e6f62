package io.tollgate.console;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * A real headless Chromium driven by Selenium, with a fresh profile, at 1280 px wide. Screenshots go to
 * {@code target/screenshots/}.
 */
final class Browser implements AutoCloseable {
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final WebDriver driver;
    private final Path profile;
    private final String base;

    Browser(String base) {
        this(base, true);
    }

    /** With {@code javascript} false the browser runs no script at all, as for a visitor who turned it off. */
    Browser(String base, boolean javascript) {
        this.base = base;
        try {
            this.profile = Files.createTempDirectory("tollgate-chromium");
            Files.createDirectories(SCREENSHOTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String chromium = System.getProperty("tollgate.chromium", "/usr/bin/chromium");
        String chromedriver = System.getProperty("tollgate.chromedriver", "/usr/bin/chromedriver");
        if (!new File(chromium).canExecute() || !new File(chromedriver).canExecute()) {
            throw new IllegalStateException("browser tests need Chromium and its driver: "
                    + "apt-get install -y chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1280,900");
        if (!javascript) {
            options.setExperimentalOption("prefs", java.util.Map.of(
                    "profile.managed_default_content_settings.javascript", 2));
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver))
                .usingAnyFreePort()
                .build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    WebDriver driver() {
        return driver;
    }

    void open(String path) {
        driver.get(base + path);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    void type(String css, String text) {
        WebElement e = find(css);
        e.clear();
        e.sendKeys(text);
    }

    /** Clicks something that loads a page, and waits until the new page has replaced the old one. */
    void click(String css) {
        navigating(() -> find(css).click());
    }

    /** Submits the form the element belongs to, and waits for the answer page. */
    void submit(String css) {
        navigating(() -> find(css).submit());
    }

    /** Clicks a button whose form asks for confirmation, accepts it, and waits for the answer page. */
    void clickConfirm(String css) {
        navigating(() -> {
            find(css).click();
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(ExpectedConditions.alertIsPresent()).accept();
        });
    }

    void clickLink(String text) {
        navigating(() -> driver.findElement(By.linkText(text)).click());
    }

    void navigating(Runnable action) {
        WebElement old = driver.findElement(By.tagName("html"));
        action.run();
        // The old page is gone once its root element is: Chrome reports that as stale, or as a node that no
        // longer belongs to the document, depending on timing.
        new WebDriverWait(driver, Duration.ofSeconds(15)).until(d -> {
            try {
                old.isEnabled();
                return false;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                return true;
            } catch (org.openqa.selenium.WebDriverException e) {
                return e.getMessage() != null && e.getMessage().contains("does not belong to the document");
            }
        });
    }

    String text() {
        return driver.findElement(By.tagName("body")).getText();
    }

    String source() {
        return driver.getPageSource();
    }

    String path() {
        return driver.getCurrentUrl().substring(base.length());
    }

    String title() {
        return driver.getTitle();
    }

    /** Signs in afresh: whatever session the browser had is dropped first. */
    void signIn(String email, String password) {
        open("/sign-in");
        driver.manage().deleteAllCookies();
        open("/sign-in");
        type("#email", email);
        type("#password", password);
        click("button[type=submit].primary");
    }

    void signOut() {
        click(".signout button");
    }

    /** Saves a screenshot at 1280 px, and another at 390 px when {@code narrow} is set. */
    void screenshot(String name, boolean narrow) {
        save(name);
        if (narrow) {
            driver.manage().window().setSize(new Dimension(390, 844));
            save(name + "-390");
            driver.manage().window().setSize(new Dimension(1280, 900));
        }
    }

    private void save(String name) {
        File shot = ((org.openqa.selenium.TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temp profile is harmless
        }
    }
}
