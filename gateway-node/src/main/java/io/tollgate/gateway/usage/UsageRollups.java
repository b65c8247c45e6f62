package io.tollgate.gateway.usage;

import io.tollgate.db.store.UsageStore;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unflushed per-minute counts per tenant and route. A cell is changed only inside {@code compute} and taken out
 * with {@code remove}, both under the map's lock for that key, so a count lands either in the batch being drained
 * or in a new cell for the next one — never in a cell already taken.
 */
final class UsageRollups {
    /** Cells kept while the database is unreachable; beyond this the oldest batch is dropped (and counted). */
    static final int MAX_PENDING_CELLS = 200_000;

    private record Key(UUID tenantId, UUID routeId, long minuteMillis) {
    }

    private static final class Cell {
        long requests;
        long errors4xx;
        long errors5xx;
        final long[] buckets = new long[LatencyBuckets.COUNT];
    }

    private final ConcurrentHashMap<Key, Cell> cells = new ConcurrentHashMap<>();

    void record(UUID tenantId, UUID routeId, long minuteMillis, int status, long nanos) {
        int bucket = LatencyBuckets.index(nanos);
        cells.compute(new Key(tenantId, routeId, minuteMillis), (key, cell) -> {
            Cell c = cell == null ? new Cell() : cell;
            c.requests++;
            if (status >= 400 && status < 500) {
                c.errors4xx++;
            } else if (status >= 500) {
                c.errors5xx++;
            }
            c.buckets[bucket]++;
            return c;
        });
    }

    List<UsageStore.Rollup> drain() {
        List<UsageStore.Rollup> out = new ArrayList<>();
        for (Key key : cells.keySet()) {
            Cell c = cells.remove(key);
            if (c != null) {
                out.add(new UsageStore.Rollup(key.tenantId(), key.routeId(),
                        OffsetDateTime.ofInstant(Instant.ofEpochMilli(key.minuteMillis()), ZoneOffset.UTC),
                        c.requests, c.errors4xx, c.errors5xx, Arrays.stream(c.buckets).boxed().toList()));
            }
        }
        return out;
    }

    /** Puts back a batch that could not be written; returns how many rollups were dropped instead. */
    long restore(List<UsageStore.Rollup> batch) {
        if (cells.size() + batch.size() > MAX_PENDING_CELLS) {
            return batch.size();
        }
        for (UsageStore.Rollup r : batch) {
            cells.compute(new Key(r.tenantId(), r.routeId(), r.minute().toInstant().toEpochMilli()), (key, cell) -> {
                Cell c = cell == null ? new Cell() : cell;
                c.requests += r.requests();
                c.errors4xx += r.errors4xx();
                c.errors5xx += r.errors5xx();
                for (int i = 0; i < c.buckets.length && i < r.latencyBuckets().size(); i++) {
                    c.buckets[i] += r.latencyBuckets().get(i);
                }
                return c;
            });
        }
        return 0;
    }
}
