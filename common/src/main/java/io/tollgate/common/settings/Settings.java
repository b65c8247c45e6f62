package io.tollgate.common.settings;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Every setting Tollgate reads, from environment variables with documented defaults (README "Settings").
 * Built from a map so tests and the dev launcher can pass their own values without touching the process
 * environment.
 */
public record Settings(
        String dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        String bindHost,
        int adminPort,
        int gatewayPort,
        int mgmtPort,
        Optional<String> bootstrapAdminEmail,
        Optional<String> bootstrapAdminPassword,
        Optional<String> jwtSecret,
        Duration accessTokenTtl,
        boolean migrateOnStart,
        Duration configPollInterval,
        boolean configListen,
        Optional<String> nodeId,
        Optional<String> snapshotFile,
        Optional<String> redisUrl,
        int passwordIterations,
        int auditRetentionDays,
        String clientIpMode,
        Optional<String> clientIpKey) {

    public static final String DEFAULT_DB_URL = "jdbc:postgresql://127.0.0.1:5432/tollgate";

    public static Settings fromEnvironment() {
        return from(System.getenv());
    }

    public static Settings from(Map<String, String> env) {
        Reader r = new Reader(env);
        return new Settings(
                r.string("TOLLGATE_DB_URL", DEFAULT_DB_URL),
                r.string("TOLLGATE_DB_USER", "postgres"),
                r.string("TOLLGATE_DB_PASSWORD", ""),
                r.integer("TOLLGATE_DB_POOL_SIZE", 10),
                r.string("TOLLGATE_BIND_HOST", "0.0.0.0"),
                r.integer("TOLLGATE_ADMIN_PORT", 8081),
                r.integer("TOLLGATE_GATEWAY_PORT", 8080),
                r.integer("TOLLGATE_MGMT_PORT", 9901),
                r.optional("TOLLGATE_BOOTSTRAP_ADMIN_EMAIL"),
                r.optional("TOLLGATE_BOOTSTRAP_ADMIN_PASSWORD"),
                r.optional("TOLLGATE_JWT_SECRET"),
                Duration.ofSeconds(r.integer("TOLLGATE_ACCESS_TOKEN_TTL_SECONDS", 3600)),
                r.bool("TOLLGATE_MIGRATE_ON_START", true),
                Duration.ofMillis(r.integer("TOLLGATE_CONFIG_POLL_MS", 1000)),
                r.bool("TOLLGATE_CONFIG_LISTEN", true),
                r.optional("TOLLGATE_NODE_ID"),
                r.optional("TOLLGATE_SNAPSHOT_FILE"),
                r.optional("TOLLGATE_REDIS_URL"),
                r.integer("TOLLGATE_PASSWORD_ITERATIONS", 210_000),
                r.integer("TOLLGATE_AUDIT_RETENTION_DAYS", 0),
                r.string("TOLLGATE_CLIENT_IP_MODE", "full"),
                r.optional("TOLLGATE_CLIENT_IP_KEY"));
    }

    private record Reader(Map<String, String> env) {
        Optional<String> optional(String name) {
            return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
        }

        String string(String name, String fallback) {
            return optional(name).orElse(fallback);
        }

        int integer(String name, int fallback) {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            try {
                return Integer.parseInt(value.get());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number, got '" + value.get() + "'");
            }
        }

        boolean bool(String name, boolean fallback) {
            Optional<String> value = optional(name);
            if (value.isEmpty()) {
                return fallback;
            }
            return switch (value.get().toLowerCase()) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw new IllegalArgumentException(name + " must be true or false, got '" + value.get() + "'");
            };
        }
    }
}
