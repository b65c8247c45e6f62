package io.tollgate.db.store;

import io.tollgate.db.model.AuditEvent;

import java.util.Optional;

/**
 * Walks events in chain order and finds the first broken link: an event whose content no longer matches its
 * hash (altered), or whose prev_hash is not the hash of the event before it (an event removed, inserted or
 * reordered). Streaming: it keeps only the previous hash, so it verifies millions of events in constant memory.
 */
public final class AuditVerifier {
    /** Where the chain broke: the event id (or line number for files) and what is wrong. */
    public record Break(long eventId, String problem) {
    }

    /** The outcome of a run. {@code anchor} is the prev_hash the first checked event had to carry. */
    public record Result(long checked, Long firstId, Long lastId, String anchor, String lastHash,
                         Optional<Break> firstBreak) {
        public boolean ok() {
            return firstBreak.isEmpty();
        }
    }

    private String expectedPrev;
    private final String anchor;
    private final boolean checkLinks;
    private long checked;
    private Long firstId;
    private Long lastId;
    private Break firstBreak;

    /** {@code anchor}: the prev_hash the first event must carry; null to take the first event's as given. */
    public AuditVerifier(String anchor) {
        this(anchor, true);
    }

    /**
     * With {@code checkLinks} false only each event's own hash is checked: for a filtered subset of the chain
     * (one tenant's events), whose neighbours are not all present.
     */
    public AuditVerifier(String anchor, boolean checkLinks) {
        this.anchor = anchor;
        this.expectedPrev = anchor;
        this.checkLinks = checkLinks;
    }

    /** Checks the next event; returns false once the chain is broken (later events are not checked). */
    public boolean accept(AuditEvent e) {
        if (firstBreak != null) {
            return false;
        }
        if (firstId == null) {
            firstId = e.id();
        }
        if (e.prevHash() == null || e.hash() == null) {
            firstBreak = new Break(e.id(), "the event has no chain fields (prev_hash, hash)");
            return false;
        }
        if (checkLinks && expectedPrev != null && !expectedPrev.equals(e.prevHash())) {
            firstBreak = new Break(e.id(), "prev_hash " + e.prevHash() + " is not the hash of the event before it ("
                    + expectedPrev + "): an event before this one was removed, inserted or reordered");
            return false;
        }
        String computed = AuditChain.hash(e.prevHash(), e);
        if (!computed.equals(e.hash())) {
            firstBreak = new Break(e.id(), "the stored hash " + e.hash() + " does not match the event's content "
                    + "(recomputed " + computed + "): this event was altered");
            return false;
        }
        expectedPrev = e.hash();
        lastId = e.id();
        checked++;
        return true;
    }

    public Result result() {
        return new Result(checked, firstId, lastId, anchor, expectedPrev, Optional.ofNullable(firstBreak));
    }
}
