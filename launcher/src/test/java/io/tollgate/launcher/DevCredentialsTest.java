package io.tollgate.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DevCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void missingValuesAreGeneratedOnceAndKeptForTheNextRun() throws Exception {
        Path file = dir.resolve("var/dev/credentials.properties");

        DevCredentials first = DevCredentials.resolve(Map.of(), file);
        DevCredentials second = DevCredentials.resolve(Map.of(), file);

        assertThat(first.generated()).containsExactly(DevCredentials.JWT_SECRET, DevCredentials.ADMIN_EMAIL,
                DevCredentials.ADMIN_PASSWORD);
        assertThat(first.jwtSecret().getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(32);
        assertThat(first.adminEmail()).isEqualTo(DevCredentials.DEFAULT_ADMIN_EMAIL);
        assertThat(second.generated()).isEmpty();
        assertThat(second.asSettings()).isEqualTo(first.asSettings());
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void valuesFromTheEnvironmentWinAndAreNotWrittenDown() throws Exception {
        Path file = dir.resolve("credentials.properties");
        Map<String, String> env = Map.of(DevCredentials.ADMIN_PASSWORD, "from-the-environment");

        DevCredentials credentials = DevCredentials.resolve(env, file);

        assertThat(credentials.adminPassword()).isEqualTo("from-the-environment");
        assertThat(credentials.generated()).doesNotContain(DevCredentials.ADMIN_PASSWORD);
        assertThat(Files.readString(file)).doesNotContain("from-the-environment");
    }
}
