package io.tollgate.launcher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * Finds the database the dev command uses, in this order:
 * <ol>
 *   <li>{@code TOLLGATE_DB_URL} when set, as is (with {@code TOLLGATE_DB_USER}/{@code TOLLGATE_DB_PASSWORD});</li>
 *   <li>PostgreSQL on 127.0.0.1:5432 (user {@code postgres} unless {@code TOLLGATE_DB_USER} says otherwise),
 *       creating the database {@code tollgate_dev} ({@code TOLLGATE_DEV_DATABASE}) when missing;</li>
 *   <li>when not running as root, an embedded PostgreSQL (io.zonky.test) with its data under
 *       {@code var/dev/postgres}, kept between runs. initdb refuses to run as root, so root gets instructions
 *       instead.</li>
 * </ol>
 */
record DevDatabase(String url, String user, String password, String description, AutoCloseable owned)
        implements AutoCloseable {
    static final String DEV_DATABASE = "tollgate_dev";
    /** Names another database for dev to find or create (scripts/dev-smoke.sh uses a throw-away one). */
    static final String DEV_DATABASE_VARIABLE = "TOLLGATE_DEV_DATABASE";
    static final String LOCAL_HOST = "127.0.0.1";
    static final int LOCAL_PORT = 5432;

    static DevDatabase find(Map<String, String> env, Path stateDir, boolean root) {
        String name = nonBlank(env.get(DEV_DATABASE_VARIABLE), DEV_DATABASE);
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new LaunchException(DEV_DATABASE_VARIABLE + " must be a plain lower-case database name "
                    + "(letters, digits, _), got '" + name + "'");
        }
        String user = nonBlank(env.get("TOLLGATE_DB_USER"), "postgres");
        String password = nonBlank(env.get("TOLLGATE_DB_PASSWORD"), "");
        String configured = env.get("TOLLGATE_DB_URL");
        if (configured != null && !configured.isBlank()) {
            return new DevDatabase(configured.trim(), user, password, "from TOLLGATE_DB_URL", null);
        }
        String serverUrl = "jdbc:postgresql://" + LOCAL_HOST + ":" + LOCAL_PORT + "/";
        try (Connection connection = connect(serverUrl + "postgres", user, password)) {
            createIfMissing(connection, name);
            return new DevDatabase(serverUrl + name, user, password,
                    "local PostgreSQL on " + LOCAL_HOST + ":" + LOCAL_PORT, null);
        } catch (SQLException e) {
            if (!unreachable(e)) {
                throw new LaunchException("PostgreSQL on " + LOCAL_HOST + ":" + LOCAL_PORT + " answered but refused "
                        + "user '" + user + "': " + e.getMessage() + "\nSet TOLLGATE_DB_USER and TOLLGATE_DB_PASSWORD, "
                        + "or point TOLLGATE_DB_URL at a database you can use.", e);
            }
        }
        if (root) {
            throw new LaunchException("""
                    No PostgreSQL is listening on %s:%d, and the embedded PostgreSQL cannot run as root \
                    (initdb refuses to).
                    Start the local server, e.g. on Debian/Ubuntu:
                        pg_ctlcluster 15 main start        (the version is the folder name in /etc/postgresql)
                    or point Tollgate at a database you have:
                        TOLLGATE_DB_URL=jdbc:postgresql://HOST:5432/DB TOLLGATE_DB_USER=... \
                    TOLLGATE_DB_PASSWORD=... ./bin/tollgate dev"""
                    .formatted(LOCAL_HOST, LOCAL_PORT));
        }
        return embedded(stateDir.resolve("postgres"), name);
    }

    private static DevDatabase embedded(Path dataDirectory, String name) {
        System.out.println("No PostgreSQL on " + LOCAL_HOST + ":" + LOCAL_PORT
                + "; starting an embedded one (data in " + dataDirectory + ") ...");
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    // Its own hook too: a Ctrl-C while it is still starting must not leave a postgres behind.
                    // close() is idempotent, so dev's orderly stop and this hook do not clash.
                    .setRegisterShutdownHook(true)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new LaunchException("The embedded PostgreSQL did not start: " + e.getMessage()
                    + "\nInstall and start PostgreSQL instead, or set TOLLGATE_DB_URL.", e);
        }
        try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
            createIfMissing(connection, name);
        } catch (SQLException e) {
            closeQuietly(postgres);
            throw new LaunchException("The embedded PostgreSQL started but " + name
                    + " could not be created: " + e.getMessage(), e);
        }
        return new DevDatabase(postgres.getJdbcUrl("postgres", name), "postgres", "",
                "embedded PostgreSQL on port " + postgres.getPort() + ", data in " + dataDirectory, postgres);
    }

    /** The settings that point every module at this database. */
    Map<String, String> asSettings() {
        return Map.of("TOLLGATE_DB_URL", url, "TOLLGATE_DB_USER", user, "TOLLGATE_DB_PASSWORD", password);
    }

    @Override
    public void close() {
        if (owned != null) {
            closeQuietly(owned);
        }
    }

    private static Connection connect(String url, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("loginTimeout", "5");
        return DriverManager.getConnection(url, properties);
    }

    /** {@code name} is checked to be a plain identifier before it gets here: CREATE DATABASE takes no bind values. */
    private static void createIfMissing(Connection connection, String name) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("select 1 from pg_database where datname = ?")) {
            query.setString(1, name);
            try (ResultSet rows = query.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
        }
        try (Statement create = connection.createStatement()) {
            create.execute("create database " + name);
            System.out.println("Created database " + name + ".");
        } catch (SQLException e) {
            // Another dev process may have created it between our check and our create.
            if (!"42P04".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    /** Connection refused or timed out (SQLState class 08), as opposed to a server that said no. */
    private static boolean unreachable(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("08");
    }

    private static String nonBlank(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("while stopping the embedded PostgreSQL: " + e);
        }
    }
}
