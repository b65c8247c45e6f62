package io.tollgate.console;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * For browser test classes that share the console ({@link ConsoleFixture}) and one headless Chromium with JavaScript
 * on across their tests: opened before the class's first test, closed after its last. A subclass's own
 * {@code @BeforeAll} runs after the browser opens. The browser field is static and so shared by all subclasses; that
 * holds because test classes run one after another (no JUnit parallel execution is configured).
 */
abstract class WithBrowser {
    static final ConsoleFixture fx = ConsoleFixture.get();
    static Browser browser;

    @BeforeAll
    static void openBrowser() {
        browser = new Browser(fx.base());
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }
}
