package io.tollgate.db.testing;

import io.tollgate.common.settings.Settings;
import io.tollgate.db.Database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real PostgreSQL database of its own for one test JVM: created on first use on the server named by
 * {@code TOLLGATE_TEST_DB_URL} (default 127.0.0.1:5432, user postgres), migrated by Flyway, dropped at exit.
 * Tests isolate from each other with unique tenants, never by truncating tables.
 */
public final class TestDatabase {
    private static final String SERVER = envOr("TOLLGATE_TEST_DB_URL", "jdbc:postgresql://127.0.0.1:5432/");
    private static final String USER = envOr("TOLLGATE_TEST_DB_USER", "postgres");
    private static final String PASSWORD = envOr("TOLLGATE_TEST_DB_PASSWORD", "");
    private static volatile Map<String, String> env;

    private TestDatabase() {
    }

    /** Settings pointing at this JVM's test database; {@code overrides} win over the defaults. */
    public static Settings settings(Map<String, String> overrides) {
        Map<String, String> values = new HashMap<>(environment());
        values.putAll(overrides);
        return Settings.from(values);
    }

    public static Settings settings() {
        return settings(Map.of());
    }

    /** The environment a child process needs to use this JVM's test database. */
    public static synchronized Map<String, String> environment() {
        if (env == null) {
            String name = "tollgate_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            execute("create database " + name);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> execute("drop database if exists " + name + " with (force)")));
            Map<String, String> values = new HashMap<>();
            values.put("TOLLGATE_DB_URL", SERVER + name);
            values.put("TOLLGATE_DB_USER", USER);
            values.put("TOLLGATE_DB_PASSWORD", PASSWORD);
            values.put("TOLLGATE_PASSWORD_ITERATIONS", "1000");
            Database.migrate(Settings.from(values));
            env = Map.copyOf(values);
        }
        return env;
    }

    /**
     * Settings of another new, migrated database, for tests that must damage what they work on (tampering with
     * the audit chain) without disturbing the shared one. Dropped at exit.
     */
    public static Settings fresh() {
        String name = "tollgate_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        execute("create database " + name);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> execute("drop database if exists " + name + " with (force)")));
        Map<String, String> values = new HashMap<>(environment());
        values.put("TOLLGATE_DB_URL", SERVER + name);
        Settings settings = Settings.from(values);
        Database.migrate(settings);
        return settings;
    }

    /** Runs one statement as the server's superuser on the maintenance database. */
    public static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "postgres", USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " refused: " + sql + " (" + e.getMessage() + ")", e);
        }
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
