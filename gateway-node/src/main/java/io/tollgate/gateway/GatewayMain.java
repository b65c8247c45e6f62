package io.tollgate.gateway;

import io.tollgate.common.settings.Settings;

import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Runs one gateway node configured from environment variables until the process is stopped. Unless a JUL
 * configuration file is given ({@code -Djava.util.logging.config.file}), the access log goes to stdout as bare
 * JSON lines (one per request, ready for a log shipper) and everything else to stderr as usual.
 */
public final class GatewayMain {
    private static final String ACCESS_LOGGER = "tollgate.access";
    /** JUL holds loggers weakly; this keeps the configured access logger (and its handler) alive. */
    private static Logger accessLogger;

    private GatewayMain() {
    }

    public static void main(String[] args) {
        configureLogging();
        GatewayServer server = GatewayServer.start(Settings.fromEnvironment());
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "tollgate-gateway-shutdown"));
        System.err.println("tollgate gateway listening on " + server.port() + ", management on " + server.mgmtPort());
    }

    /**
     * What a gateway process does with its logs (also used by {@code tollgate gateway}): the access log to stdout
     * as bare JSON lines unless a JUL configuration file is given, and no jOOQ banner.
     */
    public static void configureLogging() {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        if (System.getProperty("java.util.logging.config.file") == null) {
            accessLogToStdout();
        }
    }

    private static void accessLogToStdout() {
        Logger access = Logger.getLogger(ACCESS_LOGGER);
        StreamHandler stdout = new StreamHandler(System.out, new Formatter() {
            @Override
            public String format(LogRecord record) {
                return record.getMessage() + System.lineSeparator();
            }
        }) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        stdout.setLevel(Level.INFO);
        access.addHandler(stdout);
        access.setUseParentHandlers(false);
        accessLogger = access;
    }
}
