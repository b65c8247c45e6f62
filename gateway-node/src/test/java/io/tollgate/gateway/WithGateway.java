package io.tollgate.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

/**
 * For test classes that share one gateway with default settings ({@link Gateways#start}) across their tests: it
 * is started before the class's first test, its snapshot file in a temporary directory, and stopped after the last.
 * A subclass's own {@code @AfterAll} runs before the gateway stops. The fields are static and so shared by all
 * subclasses; that holds because test classes run one after another (no JUnit parallel execution is configured).
 */
abstract class WithGateway {
    @TempDir
    static Path dir;
    static GatewayServer gateway;

    @BeforeAll
    static void startGateway() {
        gateway = Gateways.start(dir.resolve("snapshot.json"), Map.of());
    }

    @AfterAll
    static void stopGateway() {
        if (gateway != null) {
            gateway.stop();
            gateway = null;
        }
    }
}
