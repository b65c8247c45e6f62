package io.tollgate.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.tollgate.common.settings.Settings;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.TransactionalCallable;
import org.jooq.conf.RenderQuotedNames;
import org.jooq.impl.DSL;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** The connection pool, the jOOQ context over it, and Flyway. One per process. */
public final class Database implements AutoCloseable {
    public static final String MIGRATIONS = "classpath:db/migrations";

    private final HikariDataSource dataSource;
    private final DSLContext dsl;
    private final Settings settings;

    private Database(Settings settings, String poolName) {
        this.settings = settings;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.dbUrl());
        config.setUsername(settings.dbUser());
        config.setPassword(settings.dbPassword());
        config.setMaximumPoolSize(settings.dbPoolSize());
        config.setPoolName(poolName);
        config.setConnectionTimeout(5_000);
        // Let a process start while PostgreSQL is down (a gateway serving its disk snapshot); the pool
        // connects lazily and each caller sees the failure instead.
        config.setInitializationFailTimeout(-1);
        this.dataSource = new HikariDataSource(config);
        org.jooq.conf.Settings jooqSettings = new org.jooq.conf.Settings()
                .withRenderQuotedNames(RenderQuotedNames.EXPLICIT_DEFAULT_UNQUOTED)
                .withExecuteLogging(false);
        this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES, jooqSettings);
    }

    public static Database open(Settings settings, String poolName) {
        return new Database(settings, poolName);
    }

    public DSLContext dsl() {
        return dsl;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(TransactionalCallable<T> work) {
        return dsl.transactionResult(work);
    }

    public MigrateResult migrate() {
        return migrate(settings);
    }

    public static MigrateResult migrate(Settings settings) {
        return Flyway.configure()
                .dataSource(settings.dbUrl(), settings.dbUser(), settings.dbPassword())
                .locations(MIGRATIONS)
                .load()
                .migrate();
    }

    /** A connection outside the pool, for LISTEN: it must stay on one session for as long as it listens. */
    public Connection dedicatedConnection() throws SQLException {
        return DriverManager.getConnection(settings.dbUrl(), settings.dbUser(), settings.dbPassword());
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
