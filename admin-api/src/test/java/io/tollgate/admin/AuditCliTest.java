package io.tollgate.admin;

import io.tollgate.admin.audit.AuditCli;
import io.tollgate.common.settings.Settings;
import io.tollgate.db.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tollgate audit ...} against a real database and real files. */
class AuditCliTest {
    private final AdminFixture admin = AdminFixture.get();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void exportThenVerifyTheFileOfflineAndCatchAnEdit(@TempDir Path dir) throws IOException {
        admin.tenant();
        Settings settings = TestDatabase.settings();
        Path file = dir.resolve("trail.ndjson");
        assertThat(run(settings, "export", "--format", "ndjson", "--out", file.toString())).isZero();
        assertThat(err.toString()).contains("exported");
        assertThat(run(settings, "verify", "--file", file.toString())).as(out.toString()).isZero();
        assertThat(out.toString()).contains("\"ok\" : true");

        List<String> lines = Files.readAllLines(file);
        lines.set(1, lines.get(1).replace("\"action\":\"", "\"action\":\"x"));
        Files.write(file, lines);
        out.reset();
        assertThat(run(settings, "verify", "--file", file.toString())).isEqualTo(1);
        assertThat(out.toString()).contains("line 2").contains("altered");
    }

    @Test
    void verifiesTheDatabaseChainAndExplainsBadUsage() {
        Settings settings = TestDatabase.settings();
        assertThat(run(settings, "verify")).isZero();
        assertThat(run(settings, "export", "--format", "xml")).isEqualTo(2);
        assertThat(err.toString()).contains("--format");
        assertThat(run(settings, "export", "--from", "yesterday")).isEqualTo(2);
        assertThat(run(settings, "prune", "--older-than-days", "0")).isEqualTo(2);
        assertThat(run(settings, "shred")).isEqualTo(2);
    }

    private int run(Settings settings, String... args) {
        return AuditCli.run(args, settings, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
