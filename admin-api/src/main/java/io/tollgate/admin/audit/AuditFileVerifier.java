package io.tollgate.admin.audit;

import io.tollgate.db.store.AuditVerifier;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Optional;

/**
 * Verifies an exported NDJSON file offline: every line's hash must match its content, and every line's
 * prev_hash the hash of the line before. A tenant-filtered export skips other tenants' events, so its links
 * cannot be checked: {@code checkLinks=false} then checks each event's own hash only.
 */
public final class AuditFileVerifier {
    private AuditFileVerifier() {
    }

    /** The outcome, with the line the first break is on (0 when there is none). */
    public record Outcome(AuditVerifier.Result result, long breakLine) {
        public boolean ok() {
            return result.ok();
        }

        public Optional<String> problem() {
            return result.firstBreak().map(b -> "line " + breakLine + " (event " + b.eventId() + "): " + b.problem());
        }
    }

    public static Outcome verify(Reader in, boolean checkLinks) throws IOException {
        AuditVerifier verifier = new AuditVerifier(null, checkLinks);
        BufferedReader lines = new BufferedReader(in, 64 * 1024);
        String line;
        long lineNo = 0;
        while ((line = lines.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            io.tollgate.db.model.AuditEvent event;
            try {
                event = AuditFormats.fromJson(AuditFormats.parse(line));
            } catch (IOException | RuntimeException e) {
                throw new IOException("line " + lineNo + " is not an exported audit event: " + e.getMessage(), e);
            }
            if (!verifier.accept(event)) {
                return new Outcome(verifier.result(), lineNo);
            }
        }
        return new Outcome(verifier.result(), 0);
    }
}
