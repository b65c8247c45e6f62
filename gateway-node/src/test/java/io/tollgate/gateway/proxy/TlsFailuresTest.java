package io.tollgate.gateway.proxy;

import io.tollgate.gateway.snapshot.UpstreamPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLHandshakeException;

import static org.assertj.core.api.Assertions.assertThat;

class TlsFailuresTest {
    private static final UpstreamPool.Target TARGET = UpstreamPool.target("https://orders.internal:8443", 1);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(TlsFailures.class.getName());
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        logger.addHandler(handler);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(handler);
    }

    private void pass(java.time.Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void alternatingReasonsAndSuccessesLogOneLinePerReasonPerMinuteThenCountTheRest() {
        TlsFailures failures = new TlsFailures(nanos::get, 100);
        // what the review ran: failures interleaved with successful handshakes, and two reasons taking turns
        for (int i = 0; i < 50; i++) {
            failures.failed(TARGET, new SSLHandshakeException(i % 2 == 0 ? "PKIX path building failed"
                    : "No subject alternative DNS name matching orders.internal found"));
            pass(java.time.Duration.ofMillis(100));
        }
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(0)).contains("https://orders.internal:8443", "PKIX path building failed")
                .doesNotContain("not logged");

        pass(TlsFailures.WINDOW);
        failures.failed(TARGET, new SSLHandshakeException("PKIX path building failed"));
        assertThat(warnings).hasSize(3);
        assertThat(warnings.get(2)).contains("PKIX path building failed", "24 more TLS failures like this not logged");
    }

    @Test
    void ordinaryConnectFailuresAndPlainTargetsAreNotTlsWarnings() {
        TlsFailures failures = new TlsFailures(nanos::get, 100);
        failures.failed(TARGET, new ConnectException("Connection refused"));
        failures.failed(UpstreamPool.target("http://orders.internal:8080", 1), new SSLHandshakeException("odd"));
        assertThat(warnings).isEmpty();
        assertThat(failures.remembered()).isZero();
    }

    @Test
    void aHostNameTheTlsSetupRefusesIsAWarningNotASilent502() {
        TlsFailures failures = new TlsFailures(nanos::get, 100);
        UpstreamPool.Target dotted = UpstreamPool.target("https://orders.internal.:8443", 1);
        IllegalArgumentException refused = null;
        try {
            new SNIHostName(dotted.host());   // what the handshake does first with the target's host
        } catch (IllegalArgumentException e) {
            refused = e;
        }
        assertThat(refused).isNotNull();
        failures.failed(dotted, refused);
        assertThat(warnings).singleElement().asString()
                .contains("https://orders.internal.:8443", "TLS setup refused the target", "trailing dot");
    }

    @Test
    void manyFailingTargetsStayBoundedAndTheOnesBeyondTheBoundShareOneLine() {
        TlsFailures failures = new TlsFailures(nanos::get, 10);
        for (int i = 0; i < 30; i++) {
            failures.failed(UpstreamPool.target("https://t" + i + ".internal", 1), new SSLHandshakeException("bad"));
        }
        assertThat(failures.remembered()).isEqualTo(11);
        assertThat(warnings).hasSize(11);
        assertThat(warnings.get(10)).contains("https://t10.internal", "over 10 targets failing");
        // the first ten again within the minute: still remembered, so not logged again
        for (int i = 0; i < 10; i++) {
            failures.failed(UpstreamPool.target("https://t" + i + ".internal", 1), new SSLHandshakeException("bad"));
        }
        assertThat(warnings).hasSize(11);

        // a minute later the stale pairs make room for new ones
        pass(TlsFailures.WINDOW);
        failures.failed(UpstreamPool.target("https://t99.internal", 1), new SSLHandshakeException("bad"));
        assertThat(warnings).hasSize(12);
        assertThat(warnings.get(11)).contains("https://t99.internal").doesNotContain("over 10 targets failing");
        assertThat(failures.remembered()).isLessThanOrEqualTo(11);
    }
}
