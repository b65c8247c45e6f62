package io.tollgate.admin.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.common.media.type.MediaType;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.http.Api;
import io.tollgate.admin.http.Input;
import io.tollgate.admin.tenants.TenantScope;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code /tenants/{slug}/config} (export, plan, apply), {@code /config} (every tenant) and
 * {@code /config.schema.json}: thin HTTP over {@link DeclarativeConfig}.
 */
public final class ConfigResource implements HttpService {
    private final AdminContext ctx;
    private final DeclarativeConfig config;

    public ConfigResource(AdminContext ctx) {
        this.ctx = ctx;
        this.config = new DeclarativeConfig(ctx.db(), ctx.writer());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/tenants/{slug}/config", this::export)
                .post("/tenants/{slug}/config", this::apply)
                .get("/config", this::exportAll)
                .get("/config.schema.json", this::schema);
    }

    private void export(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        send(req, res, config.export(caller.principal(), slug(req)));
    }

    private void exportAll(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        send(req, res, config.exportAll(caller.principal()));
    }

    private void apply(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        String slug = slug(req);
        // Refuse outsiders before reading what they sent.
        TenantScope.forAdmin(ctx.db().dsl(), caller.principal(), slug);
        boolean dryRun = flag(req, "dry_run");
        boolean prune = flag(req, "prune");
        JsonNode document = document(req);
        var result = config.apply(caller, slug, document,
                new DeclarativeConfig.Options(dryRun, prune, req.headers().first(Api.IF_MATCH)));
        Api.json(res, Status.OK_200, result.body(), result.etag());
    }

    private void schema(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/schema+json");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(ConfigSchema.bytes());
    }

    /** JSON unless the client prefers YAML in its Accept header. */
    private static void send(ServerRequest req, ServerResponse res, DeclarativeConfig.Exported exported) {
        Optional<MediaType> best = req.headers().bestAccepted(MediaTypes.APPLICATION_JSON, MediaTypes.APPLICATION_YAML,
                MediaTypes.APPLICATION_X_YAML, MediaTypes.TEXT_YAML);
        boolean yaml = req.headers().contains(HeaderNames.ACCEPT)
                && best.map(t -> ConfigFormats.isYaml(t.text())).orElse(false);
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, yaml ? ConfigFormats.YAML : ConfigFormats.JSON);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.header(HeaderNames.ETAG, exported.etag());
        res.header(HeaderNames.VARY, "Accept");
        res.send(ConfigFormats.write(exported.document(), yaml).getBytes(StandardCharsets.UTF_8));
    }

    /** The document: YAML or JSON by Content-Type, at most 1 MiB, an object. */
    private static JsonNode document(ServerRequest req) {
        String type = req.headers().contentType().map(t -> t.mediaType().text().toLowerCase()).orElse("");
        boolean yaml = ConfigFormats.isYaml(type);
        if (!yaml && !type.equals(ConfigFormats.JSON)) {
            throw ProblemException.of(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "send the document as application/yaml or application/json");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(Api.MAX_BODY_BYTES + 1);
        } catch (IOException e) {
            throw ProblemException.of(ProblemType.MALFORMED_REQUEST, "the request body could not be read");
        }
        if (bytes.length > Api.MAX_BODY_BYTES) {
            throw ProblemException.of(ProblemType.PAYLOAD_TOO_LARGE, "the document must be at most 1 MiB");
        }
        JsonNode node;
        try {
            node = ConfigFormats.read(bytes, yaml);
        } catch (IOException | RuntimeException e) {
            // Parser messages quote the input; they go no further than naming the format.
            throw ProblemException.of(ProblemType.MALFORMED_REQUEST, "the body is not valid " + (yaml ? "YAML" : "JSON"));
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.of(ProblemType.MALFORMED_REQUEST, "the body must be a config document (an object)");
        }
        return node;
    }

    private static boolean flag(ServerRequest req, String name) {
        Optional<String> value = req.query().first(name).asOptional();
        if (value.isEmpty() || value.get().isEmpty() || value.get().equals("true")) {
            return value.isPresent();
        }
        if (value.get().equals("false")) {
            return false;
        }
        throw Input.fieldError(name, "must be true or false");
    }

    private static String slug(ServerRequest req) {
        return req.path().pathParameters().get("slug");
    }
}
