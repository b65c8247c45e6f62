package io.tollgate.gateway;

import org.junit.jupiter.api.Assumptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Go and Rust services of examples/services, built once per test JVM with {@code examples/services/build}
 * (from the sources in this checkout) and started on ephemeral ports. A test using one is skipped, with a message
 * saying so, only when the toolchain (Go, or cargo) is not installed; any other build failure fails the test.
 */
final class ExampleServices {
    private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
    private static final Path ROOT = findRoot();
    private static final List<String> BUILT = new ArrayList<>();

    private ExampleServices() {
    }

    /** A started service: its process and the ports it printed, in order (go-orders: HTTP then gRPC). */
    record Running(Process process, int httpPort, int grpcPort) implements AutoCloseable {
        String httpUrl() {
            return "http://127.0.0.1:" + httpPort;
        }

        String grpcUrl() {
            return "http://127.0.0.1:" + grpcPort;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** go-orders with HTTP/1.1 + h2c on one port and gRPC on another. */
    static Running goOrders() {
        assumeInstalled("go", "Go is not installed (apt-get install golang-go): skipping the tests against "
                + "examples/services/go-orders");
        build("go");
        return start(List.of(ROOT.resolve("examples/services/bin/go-orders").toString(),
                "-addr", "127.0.0.1:0", "-grpc-addr", "127.0.0.1:0"), 2);
    }

    /**
     * go-orders speaking TLS only with the PEM pair {@code cert}/{@code key}: HTTPS (ALPN h2 and http/1.1) on one
     * port, gRPC over TLS on the other.
     */
    static Running goOrdersTls(Path cert, Path key) {
        assumeInstalled("go", "Go is not installed (apt-get install golang-go): skipping the tests against "
                + "examples/services/go-orders");
        build("go");
        return start(List.of(ROOT.resolve("examples/services/bin/go-orders").toString(),
                "-addr", "127.0.0.1:0", "-grpc-addr", "127.0.0.1:0", "-tls-cert", cert.toString(),
                "-tls-key", key.toString()), 2);
    }

    /** rust-inventory: HTTP/1.1 and h2c (prior knowledge) on one port. */
    static Running rustInventory() {
        assumeInstalled("cargo", "cargo is not installed (rustup or apt-get install cargo): skipping the tests "
                + "against examples/services/rust-inventory");
        build("rust");
        return start(List.of(ROOT.resolve("examples/services/bin/rust-inventory").toString(),
                "--addr", "127.0.0.1:0"), 1);
    }

    private static void assumeInstalled(String tool, String message) {
        boolean installed;
        try {
            Process p = new ProcessBuilder(tool, "version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            installed = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            installed = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            installed = false;
        }
        if (!installed && "cargo".equals(tool)) {
            installed = Files.isExecutable(Path.of(System.getProperty("user.home"), ".cargo/bin/cargo"));
        }
        Assumptions.assumeTrue(installed, message);
    }

    private static synchronized void build(String what) {
        if (BUILT.contains(what)) {
            return;
        }
        try {
            Path log = Files.createTempFile("tollgate-example-build", ".log");
            ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("examples/services/build").toString(), what)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            String path = System.getenv("PATH") + ":" + Path.of(System.getProperty("user.home"), ".cargo/bin");
            builder.environment().put("PATH", path);
            Process p = builder.start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("examples/services/build " + what + " failed:\n"
                        + Files.readString(log));
            }
            BUILT.add(what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Running start(List<String> command, int ports) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            int http = -1;
            int grpc = -1;
            for (int seen = 0; seen < ports; ) {
                String line = out.readLine();
                if (line == null) {
                    throw new IllegalStateException(command.get(0) + " exited before listening");
                }
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    int port = Integer.parseInt(m.group(2));
                    if (line.contains("gRPC")) {
                        grpc = port;
                    } else {
                        http = port;
                    }
                    seen++;
                }
            }
            // keep draining its output so the process never blocks on a full pipe
            Thread.ofVirtual().start(() -> {
                try {
                    while (out.readLine() != null) {
                        // discarded
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            return new Running(process, http, grpc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path findRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("examples/services/build"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("examples/services/build not found above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }
}
