package io.tollgate.admin;

import io.tollgate.admin.config.ConfigCli;
import io.tollgate.db.store.ConfigStateStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static io.tollgate.admin.AdminFixture.json;
import static io.tollgate.admin.AdminFixture.unique;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code tollgate config export|diff|apply} against a real admin server: its output and exit codes 0, 2 and 1. */
class ConfigCliTest {
    private final AdminFixture admin = AdminFixture.get();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private String slug;
    private String token;

    @BeforeEach
    void tenantWithAnOperatorToken() {
        slug = admin.tenant();
        admin.serviceAndRoute(admin.rootToken(), slug);
        token = admin.post("/tokens", admin.rootToken(), json("name", unique("ci"), "role", "tenant-admin",
                "tenant", slug)).json().get("token").asText();
    }

    @Test
    void exportDiffApplyRoundTripWithExitCodes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("acme.yaml");
        assertThat(run("export", "--tenant", slug, "-f", file.toString())).as(err.toString()).isZero();
        String yaml = Files.readString(file);
        assertThat(yaml).startsWith("format: tollgate.config/v1\n").contains("tenant:\n  slug: " + slug);

        assertThat(run("diff", "-f", file.toString())).as("an unchanged document: " + out).isZero();
        assertThat(out.toString()).contains("no changes");

        Files.writeString(file, yaml.replace("retries: 0", "retries: 2"));
        long version = version();
        reset();
        assertThat(run("diff", "-f", file.toString())).as(err.toString()).isEqualTo(2);
        assertThat(out.toString()).containsPattern("~ service svc-\\S+\n    retries: 0 -> 2\n")
                .contains("1 to update");
        assertThat(version()).as("diff changes nothing").isEqualTo(version);

        reset();
        assertThat(run("apply", "-f", file.toString())).as(err.toString()).isEqualTo(2);
        assertThat(out.toString()).contains("Applied to tenant " + slug + ": 0 created, 1 updated");
        assertThat(version()).isEqualTo(version + 1);
        reset();
        assertThat(run("apply", "-f", file.toString())).isZero();
        assertThat(run("diff", "-f", file.toString())).isZero();
        assertThat(out.toString() + err).doesNotContain(token);
    }

    @Test
    void newKeysNeedAKeysOutFileAndLandThereOnly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("keys.json");
        Files.writeString(file, json("tenant", Map.of("slug", slug), "api_keys",
                new Object[]{Map.of("name", "partner")}).toString());
        long version = version();
        assertThat(run("apply", "-f", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--keys-out");
        assertThat(version()).as("refused before applying anything").isEqualTo(version);

        Path keys = dir.resolve("new-keys.ndjson");
        reset();
        assertThat(run("apply", "-f", file.toString(), "--keys-out", keys.toString())).as(err.toString()).isEqualTo(2);
        String saved = Files.readString(keys);
        assertThat(saved).contains("\"name\":\"partner\"").contains("\"key\":\"tg_");
        assertThat(Files.getPosixFilePermissions(keys)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String secret = saved.substring(saved.indexOf("tg_"), saved.lastIndexOf('"'));
        assertThat(out.toString() + err).doesNotContain(secret);
        reset();
        assertThat(run("apply", "-f", file.toString())).as("the key is found by name next time").isZero();
    }

    @Test
    void errorsExitWithOneAndSayWhy(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "tenant:\n  slug: " + slug + "\nroutes:\n  - name: r\n    service: nowhere\n"
                + "    paths: [/x-" + unique("p") + "]\n");
        assertThat(run("diff", "-f", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("400").contains("/routes/0/service: no service 'nowhere'");

        reset();
        assertThat(ConfigCli.run(new String[]{"diff", "-f", file.toString(), "--server", admin.base()},
                Map.of("TOLLGATE_TOKEN", "not-a-token"), print(out), print(err))).isEqualTo(1);
        assertThat(err.toString()).contains("401").doesNotContain("not-a-token");

        reset();
        assertThat(ConfigCli.run(new String[]{"diff", "-f", file.toString()}, Map.of(), print(out), print(err)))
                .isEqualTo(1);
        assertThat(err.toString()).contains("TOLLGATE_TOKEN");

        // a token captured with its JSON answer (line breaks, spaces) would make the HTTP client quote the whole
        // header value in its exception: refused up front, and never echoed
        for (String captured : new String[]{"{\n  \"token\": \"" + token + "\"\n}", token + "\u00e9"}) {
            reset();
            assertThat(ConfigCli.run(new String[]{"diff", "-f", file.toString(), "--server", admin.base()},
                    Map.of("TOLLGATE_TOKEN", captured), print(out), print(err))).isEqualTo(1);
            assertThat(err.toString()).contains("TOLLGATE_TOKEN").doesNotContain(token);
            assertThat(out.toString()).doesNotContain(token);
        }

        reset();
        String other = admin.tenant();
        assertThat(run("export", "--tenant", other)).as("another tenant's config").isEqualTo(1);
        assertThat(err.toString()).contains("403");
        assertThat(run("frobnicate")).isEqualTo(1);
    }

    private int run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--server";
        all[args.length + 1] = admin.base().replace("/api/v1", "");
        return ConfigCli.run(all, Map.of("TOLLGATE_TOKEN", token), print(out), print(err));
    }

    private void reset() {
        out.reset();
        err.reset();
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private long version() {
        return new ConfigStateStore(admin.db().dsl()).version();
    }
}
