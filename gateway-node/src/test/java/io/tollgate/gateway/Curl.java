package io.tollgate.gateway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * curl as a separate process, for the listener tests: it speaks h2c (prior knowledge and Upgrade) and HTTP/2 over TLS
 * the way a real client does. The answer's head and body go to files in {@code dir} and are read back.
 */
final class Curl {
    private Curl() {
    }

    /** The final answer curl got: protocol, status, lower-cased headers, body; {@code upgraded} if a 101 came first. */
    record Reply(boolean upgraded, String version, int status, List<String[]> headers, byte[] body) {
        String header(String name) {
            return headers.stream().filter(h -> h[0].equals(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code curl -sS <options> url} (at most 20 s) and expects it to exit 0. */
    static Reply run(Path dir, String url, List<String> options) throws Exception {
        Path headersFile = Files.createTempFile(dir, "h", ".txt");
        Path bodyFile = Files.createTempFile(dir, "b", ".bin");
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-D", headersFile.toString(),
                "-o", bodyFile.toString(), "--max-time", "20"));
        command.addAll(options);
        command.add(url);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(output, StandardCharsets.UTF_8)).isZero();

        boolean upgraded = false;
        String version = null;
        int status = 0;
        List<String[]> headers = new ArrayList<>();
        for (String line : Files.readAllLines(headersFile, StandardCharsets.ISO_8859_1)) {
            line = line.strip();
            if (line.startsWith("HTTP/")) {
                String[] parts = line.split(" ");
                version = parts[0];
                status = Integer.parseInt(parts[1]);
                if (status == 101) {
                    upgraded = true;
                }
                headers.clear(); // keep only the final answer's fields
            } else if (line.contains(":")) {
                int colon = line.indexOf(':');
                headers.add(new String[] {line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        line.substring(colon + 1).strip()});
            }
        }
        return new Reply(upgraded, version, status, headers, Files.readAllBytes(bodyFile));
    }
}
