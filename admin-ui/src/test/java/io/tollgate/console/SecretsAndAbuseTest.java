package io.tollgate.console;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Secrets shown once and never again, nowhere in logs; failed sign-ins audited and throttled; unknown pages. */
class SecretsAndAbuseTest {
    private static final Pattern FULL_KEY = Pattern.compile("tg_[a-z2-7]{12}_[a-z2-7]{52}");
    private static final Pattern FORM_ID = Pattern.compile("name=\"form_id\" value=\"([^\"]+)\"");
    private final ConsoleFixture fx = ConsoleFixture.get();
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters())
                        + (r.getThrown() == null ? "" : " " + r.getThrown()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void aKeyFormSubmittedTwiceCreatesOneKeyAndShowsItOnce() {
        String slug = fx.tenant();
        String email = fx.user("tenant-admin", slug);
        PlainClient client = new PlainClient(fx.base());
        client.signIn(email, ConsoleFixture.USER_PASSWORD);
        String form = client.get("/t/" + slug + "/keys/new").body();
        Matcher id = FORM_ID.matcher(form);
        assertThat(id.find()).isTrue();
        Map<String, String> fields = Map.of("_csrf", PlainClient.csrfOf(form), "form_id", id.group(1), "name", "once");

        HttpResponse<String> first = client.post("/t/" + slug + "/keys", fields);
        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(first.headers().firstValue("cache-control")).hasValue("no-store");
        Matcher key = FULL_KEY.matcher(first.body());
        assertThat(key.find()).isTrue();
        String fullKey = key.group();

        HttpResponse<String> again = client.post("/t/" + slug + "/keys", fields);
        assertThat(again.body()).contains("This key was already created").doesNotContain(fullKey);
        assertThat(FULL_KEY.matcher(again.body()).find()).isFalse();
        var keys = fx.call("GET", "/api/v1/tenants/" + slug + "/api-keys", fx.rootToken(), null, 200);
        assertThat(keys.get("items")).hasSize(1);
        String list = client.get("/t/" + slug + "/keys").body();
        assertThat(list).doesNotContain(fullKey);
        String audit = fx.call("GET", "/api/v1/audit-events?tenant=" + slug, fx.rootToken(), null, 200).toString();
        assertThat(audit).contains("api-key.create").doesNotContain(fullKey).doesNotContain(fullKey.substring(16));

        synchronized (logged) {
            assertThat(String.join("\n", logged)).doesNotContain(fullKey.substring(16))
                    .doesNotContain(ConsoleFixture.USER_PASSWORD)
                    .doesNotContain(client.cookies().get("tg_session"));
        }
    }

    @Test
    void failedSignInsAreAuditedAndThrottled() {
        String email = fx.user("auditor", null);
        PlainClient client = new PlainClient(fx.base());
        for (int i = 0; i < 5; i++) {
            assertThat(client.signIn(email, "wrong-password-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> throttled = client.signIn(email, ConsoleFixture.USER_PASSWORD);
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.body()).contains("Too many failed sign-ins");
        assertThat(client.cookies()).doesNotContainKey("tg_session");
        var events = fx.call("GET", "/api/v1/audit-events?action=auth.sign-in-failed&limit=200", fx.rootToken(), null, 200);
        long mine = java.util.stream.StreamSupport.stream(events.get("items").spliterator(), false)
                .filter(e -> e.at("/after/email").asText().equals(email)).count();
        assertThat(mine).isEqualTo(5);
        synchronized (logged) {
            assertThat(String.join("\n", logged)).doesNotContain("wrong-password-");
        }
    }

    @Test
    void signInOnlyRedirectsWithinTheConsole() {
        PlainClient client = new PlainClient(fx.base());
        String csrf = PlainClient.csrfOf(client.get("/sign-in?next=//evil.example/").body());
        HttpResponse<String> res = client.post("/sign-in", Map.of("_csrf", csrf, "email", ConsoleFixture.ADMIN_EMAIL,
                "password", ConsoleFixture.ADMIN_PASSWORD, "next", "https://evil.example/"));
        assertThat(res.statusCode()).isEqualTo(303);
        assertThat(res.headers().firstValue("location")).hasValue("/");
    }

    @Test
    void unknownPagesAnswerWithA404Page() {
        PlainClient client = new PlainClient(fx.base());
        client.signIn(ConsoleFixture.ADMIN_EMAIL, ConsoleFixture.ADMIN_PASSWORD);
        HttpResponse<String> res = client.get("/no/such/page");
        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(res.body()).contains("Not found");
        assertThat(client.get("/t/" + fx.tenant() + "/services/no-such-service").statusCode()).isEqualTo(404);
        assertThat(fx.call("GET", "/api/v1/no-such-endpoint", fx.rootToken(), null, 404)).isNotNull();
    }
}
