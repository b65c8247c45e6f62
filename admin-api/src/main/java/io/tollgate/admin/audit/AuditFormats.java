package io.tollgate.admin.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;
import io.tollgate.db.model.AuditEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Export formats of the audit trail. NDJSON carries every field as the API shows it, one event per line, and
 * verifies offline. CSV follows RFC 4180 (CRLF, quoted when needed, quotes doubled) and defuses spreadsheet
 * formulas: a cell starting with =, +, -, @, tab or carriage return is prefixed with a single quote.
 */
public final class AuditFormats {
    public static final String[] CSV_COLUMNS = {"id", "occurred_at", "actor_type", "actor_id", "actor_name",
            "tenant_id", "action", "target_type", "target_id", "before", "after", "client_ip", "request_id",
            "prev_hash", "hash"};

    private AuditFormats() {
    }

    public enum Format {
        CSV("text/csv; charset=utf-8", "csv"), NDJSON("application/x-ndjson", "ndjson");

        private final String mediaType;
        private final String extension;

        Format(String mediaType, String extension) {
            this.mediaType = mediaType;
            this.extension = extension;
        }

        public String mediaType() {
            return mediaType;
        }

        public String extension() {
            return extension;
        }

        public static Format parse(String value) {
            return switch (value == null ? "ndjson" : value.toLowerCase()) {
                case "csv" -> CSV;
                case "ndjson", "jsonl" -> NDJSON;
                default -> null;
            };
        }
    }

    /** Writes events one at a time; the caller streams them in and closes the writer. */
    public static final class EventWriter {
        private final Writer out;
        private final Format format;
        private boolean started;

        public EventWriter(Writer out, Format format) {
            this.out = out;
            this.format = format;
        }

        public void write(AuditEvent e) {
            try {
                if (format == Format.NDJSON) {
                    out.write(AuditViews.json(e).toString());
                    out.write('\n');
                    return;
                }
                if (!started) {
                    row(CSV_COLUMNS);
                    started = true;
                }
                row(new String[]{Long.toString(e.id()), e.occurredAt().toInstant().toString(), e.actorType(),
                        e.actorId(), e.actorName(), e.tenantId() == null ? null : e.tenantId().toString(), e.action(),
                        e.targetType(), e.targetId(), e.before() == null ? null : e.before().toString(),
                        e.after() == null ? null : e.after().toString(), e.clientIp(), e.requestId(), e.prevHash(),
                        e.hash()});
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        /** Writes the CSV header even when no event matched. */
        public void finish() {
            try {
                if (format == Format.CSV && !started) {
                    row(CSV_COLUMNS);
                }
                out.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }

        private void row(String[] cells) throws IOException {
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(csvCell(cells[i]));
            }
            out.write("\r\n");
        }
    }

    /** One CSV cell: formula prefixes defused, quoted when it holds a comma, quote, CR or LF. */
    public static String csvCell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String cell = value;
        char first = cell.charAt(0);
        if (first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r') {
            cell = "'" + cell;
        }
        if (cell.indexOf(',') >= 0 || cell.indexOf('"') >= 0 || cell.indexOf('\n') >= 0 || cell.indexOf('\r') >= 0) {
            cell = "\"" + cell.replace("\"", "\"\"") + "\"";
        }
        return cell;
    }

    /** Reads one exported NDJSON line back into an event, for offline verification. */
    public static AuditEvent fromJson(JsonNode n) {
        return new AuditEvent(n.path("id").isNumber() ? n.get("id").asLong() : null,
                OffsetDateTime.parse(n.get("occurred_at").asText()), text(n, "actor_type"), text(n, "actor_id"),
                text(n, "actor_name"), n.hasNonNull("tenant_id") ? UUID.fromString(n.get("tenant_id").asText()) : null,
                text(n, "action"), text(n, "target_type"), text(n, "target_id"), tree(n, "before"), tree(n, "after"),
                text(n, "client_ip"), text(n, "request_id"), text(n, "prev_hash"), text(n, "hash"));
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }

    private static JsonNode tree(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field) : null;
    }

    static JsonNode parse(String line) throws IOException {
        return Json.mapper().readTree(line);
    }
}
