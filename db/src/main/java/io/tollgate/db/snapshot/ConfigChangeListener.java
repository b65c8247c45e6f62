package io.tollgate.db.snapshot;

import io.tollgate.db.Database;
import io.tollgate.db.store.ConfigStateStore;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * LISTENs on {@link ConfigStateStore#CHANNEL} over a connection of its own (a pooled connection would lose the
 * registration when returned). {@link #awaitChange} blocks until a notification arrives or the timeout passes;
 * callers re-read the version either way, so a lost notification only costs one poll interval.
 */
public final class ConfigChangeListener implements AutoCloseable {
    private final Connection connection;
    private final PGConnection pg;

    private ConfigChangeListener(Connection connection) throws SQLException {
        this.connection = connection;
        this.pg = connection.unwrap(PGConnection.class);
        try (Statement statement = connection.createStatement()) {
            statement.execute("LISTEN " + ConfigStateStore.CHANNEL);
        }
    }

    public static ConfigChangeListener open(Database database) throws SQLException {
        Connection connection = database.dedicatedConnection();
        try {
            return new ConfigChangeListener(connection);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** True when at least one notification arrived within {@code timeout}; throws when the session is gone. */
    public boolean awaitChange(Duration timeout) throws SQLException {
        var notifications = pg.getNotifications((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
        return notifications != null && notifications.length > 0;
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing a broken session: nothing left to release
        }
    }
}
