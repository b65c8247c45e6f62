package io.tollgate.launcher;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code tollgate gateway} refusing to start on a setting it cannot use: exit 1, one line naming what to fix. */
class GatewayCommandTest {
    @TempDir
    Path dir;

    @Test
    void unusableCertificateFileStopsTheGatewayWithAMessageNamingTheFile() throws Exception {
        Path cert = dir.resolve("not-a-cert.pem");
        Files.writeString(cert, "hello\n");
        Path key = dir.resolve("some.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        Run run = gateway(Map.of("TOLLGATE_TLS_CERT", cert.toString(), "TOLLGATE_TLS_KEY", key.toString()));

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("tollgate: " + cert + " is not a readable PEM certificate chain");
        assertThat(run.output()).doesNotContain("\tat ");
    }

    @Test
    void halfConfiguredTlsNamesTheMissingSetting() throws Exception {
        Run run = gateway(Map.of("TOLLGATE_TLS_CERT", dir.resolve("c.pem").toString()));

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.output()).contains("TOLLGATE_TLS_KEY must be set too");
        assertThat(run.output()).doesNotContain("\tat ");
    }

    private record Run(int exit, String output) {
    }

    /** {@code tollgate gateway} as a child JVM on this test's class path; it must exit before touching the database. */
    private static Run gateway(Map<String, String> extra) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "gateway"))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("TOLLGATE_"));
        env.put("TOLLGATE_GATEWAY_PORT", "0");
        env.put("TOLLGATE_MGMT_PORT", "0");
        env.put("TOLLGATE_TLS_PORT", "0");
        env.put("TOLLGATE_BIND_HOST", "127.0.0.1");
        env.putAll(extra);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }
}
