package io.tollgate.gateway.observe;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The access line's hand-written number and time formats against the JDK's own. */
class AccessLineFormatTest {

    @Test
    void timestampsAreWrittenExactlyAsInstantToString() {
        List<Instant> instants = new ArrayList<>(List.of(
                Instant.parse("2026-11-26T11:39:00Z"),            // zero seconds: LocalDateTime would drop them
                Instant.parse("2026-11-26T11:39:49Z"),
                Instant.parse("2026-11-26T11:39:49.100Z"),
                Instant.parse("2026-11-26T11:39:49.000100Z"),
                Instant.parse("2026-11-26T11:39:49.000000001Z"),
                Instant.parse("2026-11-26T11:39:49.010203040Z"),
                Instant.parse("1999-12-31T23:59:59.999999999Z"),
                Instant.parse("2000-01-01T00:00:00.000001Z")));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long second = 1_700_000_000L + random.nextLong(100_000_000L);
            int nanos = switch (i % 4) {
                case 0 -> random.nextInt(1_000) * 1_000_000;
                case 1 -> random.nextInt(1_000_000) * 1_000;
                case 2 -> random.nextInt(1_000_000_000);
                default -> 0;
            };
            instants.add(Instant.ofEpochSecond(second, nanos));
            instants.add(Instant.ofEpochSecond(second, random.nextInt(1_000_000_000)));   // same second, cached
        }
        IsoTimestamps timestamps = new IsoTimestamps();
        for (Instant instant : instants) {
            StringBuilder out = new StringBuilder();
            timestamps.append(out, instant);
            assertThat(out.toString()).as("%s", instant).isEqualTo(instant.toString());
        }
    }

    @Test
    void millisecondsHaveThreeDecimals() {
        assertThat(millis(0)).isEqualTo("0.000");
        assertThat(millis(999)).isEqualTo("0.000");          // below a microsecond
        assertThat(millis(1_000)).isEqualTo("0.001");
        assertThat(millis(12_000)).isEqualTo("0.012");
        assertThat(millis(1_204_567)).isEqualTo("1.204");
        assertThat(millis(30_000_000_000L)).isEqualTo("30000.000");
        assertThat(Double.parseDouble(millis(987_654_321))).isEqualTo(987.654);
    }

    private static String millis(long nanos) {
        StringBuilder out = new StringBuilder();
        RecordFilter.millis(out, nanos);
        return out.toString();
    }
}
