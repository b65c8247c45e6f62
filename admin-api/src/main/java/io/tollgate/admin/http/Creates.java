package io.tollgate.admin.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.change.ChangeWriter;
import io.tollgate.common.json.Json;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.db.Database;
import io.tollgate.db.store.IdempotencyStore;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;

/**
 * POST that creates something, honouring {@code Idempotency-Key}: the first response is stored in the same
 * transaction as the change (with secrets removed), and a replay of the same key and body returns it without
 * creating a second object. The same key with another body is refused (422).
 */
public final class Creates {
    private Creates() {
    }

    /**
     * What a create answers. {@code replayBody} is what a replay returns: the body without secrets that must
     * only ever be shown once (a new API key or token).
     */
    public record Created(String location, String etag, ObjectNode body, ObjectNode replayBody) {
        public static Created of(String location, String etag, ObjectNode body) {
            return new Created(location, etag, body, body);
        }
    }

    public static <T> void handle(Database db, ChangeWriter writer, ServerRequest req, ServerResponse res,
                                  Caller caller, JsonNode requestBody, Function<DSLContext, Change<T>> work,
                                  Function<T, Created> created) {
        Optional<String> key = req.headers().first(Api.IDEMPOTENCY_KEY).map(String::strip);
        if (key.isEmpty()) {
            T result = writer.write(caller, work);
            send(res, created.apply(result));
            return;
        }
        if (key.get().isEmpty() || key.get().length() > 255) {
            throw Input.fieldError("Idempotency-Key", "must be 1 to 255 characters");
        }
        String principal = caller.principal().actorType() + ":" + caller.principal().id();
        String path = req.path().rawPath();
        String hash = hash(req.prologue().method().text() + " " + path + " " + Api.text(requestBody));
        Optional<IdempotencyStore.Stored> earlier = new IdempotencyStore(db.dsl()).find(principal, key.get());
        if (earlier.isPresent()) {
            replay(res, earlier.get(), hash);
            return;
        }
        Created[] first = new Created[1];
        try {
            writer.write(caller, work, new ChangeWriter.Replay(principal, key.get(), "POST", path, hash), result -> {
                first[0] = created.apply(result);
                return new IdempotencyStore.Stored("POST", path, hash, Status.CREATED_201.code(),
                        first[0].location(), first[0].etag(), Api.text(first[0].replayBody()));
            });
        } catch (DataAccessException e) {
            // Another request with the same key committed first: answer as its replay.
            Optional<IdempotencyStore.Stored> winner = new IdempotencyStore(db.dsl()).find(principal, key.get());
            if (winner.isEmpty()) {
                throw e;
            }
            replay(res, winner.get(), hash);
            return;
        }
        send(res, first[0]);
    }

    private static void send(ServerResponse res, Created c) {
        res.header(HeaderNames.LOCATION, c.location());
        Api.json(res, Status.CREATED_201, c.body(), c.etag());
    }

    private static void replay(ServerResponse res, IdempotencyStore.Stored stored, String hash) {
        if (!stored.requestHash().equals(hash)) {
            throw ProblemException.of(ProblemType.UNPROCESSABLE,
                    "this Idempotency-Key was already used with a different request");
        }
        JsonNode body;
        try {
            body = Json.mapper().readTree(stored.body());
        } catch (IOException e) {
            throw new IllegalStateException("stored idempotent response is not JSON", e);
        }
        if (stored.location() != null) {
            res.header(HeaderNames.LOCATION, stored.location());
        }
        res.header(HeaderNames.create("Idempotent-Replayed"), "true");
        Api.json(res, Status.create(stored.status()), body, stored.etag());
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
