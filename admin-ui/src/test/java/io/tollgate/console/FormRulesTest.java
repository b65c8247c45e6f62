package io.tollgate.console;

import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Form details checked over plain HTTP: key expiry and routes, and disabling a user ending their session. */
class FormRulesTest {
    private static final Pattern FORM_ID = Pattern.compile("name=\"form_id\" value=\"([^\"]+)\"");
    private final ConsoleFixture fx = ConsoleFixture.get();

    @Test
    void keyExpiryIsReadAsUtcAndMustBeInTheFuture() {
        String slug = fx.tenant();
        fx.call("POST", "/api/v1/tenants/" + slug + "/services", fx.rootToken(), ConsoleFixture.json("name", "svc",
                "targets", new Object[]{Map.of("url", "http://127.0.0.1:9")}), 201);
        var route = fx.call("POST", "/api/v1/tenants/" + slug + "/routes", fx.rootToken(), ConsoleFixture.json(
                "name", "only-this", "service", "svc", "paths", new String[]{"/" + ConsoleFixture.unique("p")}), 201);
        PlainClient client = new PlainClient(fx.base());
        client.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);

        Map<String, String> past = form(client, slug);
        past.put("name", "old");
        past.put("expires_at", "2001-01-01T00:00");
        HttpResponse<String> refused = client.post("/t/" + slug + "/keys", past);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("id=\"expires_at-error\"").contains("must be in the future");

        Map<String, String> good = form(client, slug);
        good.put("name", "limited");
        good.put("expires_at", "2031-01-01T10:30");
        good.put("allowed_routes", route.get("id").asText());
        good.put("quota", "5000");
        assertThat(client.post("/t/" + slug + "/keys", good).statusCode()).isEqualTo(201);
        var key = fx.call("GET", "/api/v1/tenants/" + slug + "/api-keys", fx.rootToken(), null, 200).at("/items/0");
        assertThat(key.get("expires_at").asText()).isEqualTo("2031-01-01T10:30:00Z");
        assertThat(key.at("/allowed_routes/0").asText()).isEqualTo(route.get("id").asText());
        assertThat(key.get("quota").asLong()).isEqualTo(5000);
    }

    @Test
    void renamingAKeyLeavesItsExpiryExactlyAsItWas() {
        String slug = fx.tenant();
        var created = fx.call("POST", "/api/v1/tenants/" + slug + "/api-keys", fx.rootToken(),
                ConsoleFixture.json("name", "before", "expires_at", "2031-05-05T05:05:05Z"), 201);
        String id = created.get("id").asText();
        PlainClient client = new PlainClient(fx.base());
        client.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        String page = client.get("/t/" + slug + "/keys/" + id).body();
        assertThat(page).contains("value=\"2031-05-05T05:05\"");
        Matcher version = Pattern.compile("name=\"version\" value=\"(\\d+)\"").matcher(page);
        assertThat(version.find()).isTrue();
        HttpResponse<String> saved = client.post("/t/" + slug + "/keys/" + id, Map.of("_csrf", PlainClient.csrfOf(page),
                "version", version.group(1), "name", "after", "expires_at", "2031-05-05T05:05"));
        assertThat(saved.statusCode()).isEqualTo(303);
        var key = fx.call("GET", "/api/v1/tenants/" + slug + "/api-keys/" + id, fx.rootToken(), null, 200);
        assertThat(key.get("name").asText()).isEqualTo("after");
        assertThat(key.get("expires_at").asText()).isEqualTo("2031-05-05T05:05:05Z");
    }

    @Test
    void disablingAUserEndsTheirConsoleSession() {
        String slug = fx.tenant();
        String email = fx.user("tenant-admin", slug);
        PlainClient user = new PlainClient(fx.base());
        user.signIn(email, ConsoleFixture.USER_PASSWORD);
        assertThat(user.get("/t/" + slug + "/services").statusCode()).isEqualTo(200);

        PlainClient admin = new PlainClient(fx.base());
        admin.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        String list = admin.get("/users?q=" + email).body();
        Matcher link = Pattern.compile("href=\"(/users/[0-9a-f-]{36})\"").matcher(list);
        assertThat(link.find()).isTrue();
        String page = admin.get(link.group(1)).body();
        Matcher version = Pattern.compile("name=\"version\" value=\"(\\d+)\"").matcher(page);
        assertThat(version.find()).isTrue();
        HttpResponse<String> saved = admin.post(link.group(1), Map.of("_csrf", PlainClient.csrfOf(page),
                "version", version.group(1), "display_name", "", "disabled", "on", "grants", "tenant-admin " + slug));
        assertThat(saved.statusCode()).isEqualTo(303);

        HttpResponse<String> after = user.get("/t/" + slug + "/services");
        assertThat(after.statusCode()).isEqualTo(303);
        assertThat(after.headers().firstValue("location").orElseThrow()).startsWith("/sign-in");
        assertThat(user.signIn(email, ConsoleFixture.USER_PASSWORD).statusCode()).isEqualTo(401);
    }

    @Test
    void serviceFormOffersH2AndSaysWhyH2NeedsHttpsTargets() {
        String slug = fx.tenant();
        PlainClient client = new PlainClient(fx.base());
        client.signIn(fx.user("tenant-admin", slug), ConsoleFixture.USER_PASSWORD);
        String page = client.get("/t/" + slug + "/services/new").body();
        assertThat(page).contains("<option value=\"h2\"");

        Map<String, String> form = new HashMap<>();
        form.put("_csrf", PlainClient.csrfOf(page));
        form.put("name", "tls-orders");
        form.put("language", "go");
        form.put("protocol", "h2");
        form.put("targets", "http://10.0.0.5:8080");
        HttpResponse<String> refused = client.post("/t/" + slug + "/services", form);

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("id=\"protocol-error\"").contains("needs https targets");
    }

    private static Map<String, String> form(PlainClient client, String slug) {
        String html = client.get("/t/" + slug + "/keys/new").body();
        Matcher id = FORM_ID.matcher(html);
        assertThat(id.find()).isTrue();
        Map<String, String> form = new HashMap<>();
        form.put("_csrf", PlainClient.csrfOf(html));
        form.put("form_id", id.group(1));
        return form;
    }
}
