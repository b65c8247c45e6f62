package io.tollgate.launcher;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The example Go and Rust upstreams ({@code examples/services}), started by {@code dev} as child processes when
 * they have been built ({@code examples/services/build}), so the demo tenant also routes to real Go and Rust
 * services.
 */
final class ExampleServices implements AutoCloseable {
    /** One running example: its name, language, base URL and the route path dev gives it. */
    record Running(String name, String language, String url, String path) {
    }

    private final List<Process> processes = new ArrayList<>();
    private final List<Running> running = new ArrayList<>();

    static Optional<ExampleServices> startIfBuilt(Path home) {
        Path bin = home.resolve("examples").resolve("services").resolve("bin");
        Path go = bin.resolve("go-orders");
        Path rust = bin.resolve("rust-inventory");
        if (!Files.isExecutable(go) && !Files.isExecutable(rust)) {
            return Optional.empty();
        }
        ExampleServices examples = new ExampleServices();
        try {
            if (Files.isExecutable(go)) {
                int port = freePort();
                examples.start(new Running("go-orders", "go", "http://127.0.0.1:" + port, "/orders"),
                        go.toString(), "-addr", "127.0.0.1:" + port);
            }
            if (Files.isExecutable(rust)) {
                int port = freePort();
                examples.start(new Running("rust-inventory", "rust", "http://127.0.0.1:" + port, "/items"),
                        rust.toString(), "--addr", "127.0.0.1:" + port);
            }
        } catch (RuntimeException e) {
            examples.close();
            throw e;
        }
        return Optional.of(examples);
    }

    List<Running> running() {
        return List.copyOf(running);
    }

    private void start(Running service, String... command) {
        try {
            processes.add(new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            running.add(service);
        } catch (IOException e) {
            throw new LaunchException("could not start " + service.name() + " (" + command[0] + "): " + e.getMessage(), e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new LaunchException("no free port for an example service: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        processes.forEach(Process::destroy);
        processes.clear();
    }
}
