package io.tollgate.console;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Cookies, CSRF and security headers, checked on the raw HTTP responses. */
class SessionSecurityTest {
    private final ConsoleFixture fx = ConsoleFixture.get();

    @Test
    void sessionCookieIsHttpOnlyAndStrict() {
        PlainClient client = new PlainClient(fx.base());
        HttpResponse<String> res = client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        assertThat(res.statusCode()).isEqualTo(303);
        String cookie = res.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("tg_session="))
                .findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict")
                .doesNotContainIgnoringCase("Secure");
    }

    @Test
    void sessionCookieIsSecureBehindTls() {
        PlainClient client = new PlainClient(fx.base());
        HttpResponse<String> res = client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD,
                "X-Forwarded-Proto", "https");
        String cookie = res.headers().allValues("set-cookie").stream().filter(c -> c.startsWith("tg_session="))
                .findFirst().orElseThrow();
        assertThat(cookie).containsIgnoringCase("; Secure").containsIgnoringCase("HttpOnly");
    }

    @Test
    void pagesCarrySecurityHeaders() {
        PlainClient client = new PlainClient(fx.base());
        client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        HttpResponse<String> page = client.get("/?stay=1");
        assertThat(page.statusCode()).isEqualTo(200);
        String csp = page.headers().firstValue("content-security-policy").orElseThrow();
        assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
        assertThat(page.headers().firstValue("x-frame-options")).hasValue("DENY");
        assertThat(page.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(page.body()).doesNotContain("<script>").doesNotContain(" onclick=").doesNotContain(" style=");
    }

    @Test
    void postWithoutCsrfTokenIsRefused() {
        PlainClient client = new PlainClient(fx.base());
        client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        HttpResponse<String> res = client.post("/sign-out", Map.of());
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(client.get("/?stay=1").statusCode()).as("still signed in").isEqualTo(200);
        HttpResponse<String> wrong = client.post("/sign-out", Map.of("_csrf", "not-the-token"));
        assertThat(wrong.statusCode()).isEqualTo(403);
    }

    @Test
    void signInWithoutCsrfTokenIsRefused() {
        PlainClient client = new PlainClient(fx.base());
        client.get("/sign-in");
        HttpResponse<String> res = client.post("/sign-in", Map.of("email", ConsoleFixture.ADMIN_EMAIL,
                "password", ConsoleFixture.ADMIN_PASSWORD));
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(client.cookies()).doesNotContainKey("tg_session");
    }

    @Test
    void signedOutSessionNoLongerWorks() {
        PlainClient client = new PlainClient(fx.base());
        client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        String session = client.cookies().get("tg_session");
        String csrf = PlainClient.csrfOf(client.get("/?stay=1").body());
        assertThat(client.post("/sign-out", Map.of("_csrf", csrf)).statusCode()).isEqualTo(303);
        PlainClient replay = new PlainClient(fx.base());
        replay.cookies().put("tg_session", session);
        HttpResponse<String> res = replay.get("/?stay=1");
        assertThat(res.statusCode()).isEqualTo(303);
        assertThat(res.headers().firstValue("location").orElseThrow()).startsWith("/sign-in");
    }

    @Test
    void textFromUsersIsEscapedInPages() {
        String slug = ConsoleFixture.unique("xss");
        fx.call("POST", "/api/v1/tenants", fx.rootToken(), ConsoleFixture.json("slug", slug,
                "name", "<img src=x onerror=alert(1)>"), 201);
        PlainClient client = new PlainClient(fx.base());
        client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        for (String page : new String[]{"/tenants?q=" + slug, "/tenants/" + slug, "/t/" + slug}) {
            String html = client.get(page).body();
            assertThat(html).as(page).contains("&lt;img src=x onerror=alert(1)&gt;").doesNotContain("<img src=x");
        }
    }

    @Test
    void restApiStillAnswersJsonBesideTheConsole() {
        var health = fx.call("GET", "/api/v1/health", null, null, 200);
        assertThat(health.get("status").asText()).isEqualTo("UP");
    }
}
