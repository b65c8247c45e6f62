package io.tollgate.admin.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.tollgate.common.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code tollgate config export|diff|apply}: the declarative workflow from a pipeline, over the admin REST API
 * (so RBAC, validation and audit are the server's). The token comes from {@code TOLLGATE_TOKEN} and is never
 * printed. Exit codes: 0 nothing to change, 2 changes planned (diff) or applied (apply), 1 an error.
 *
 * <p>{@code apply} first asks for the plan (a dry run) and prints it, then applies exactly that plan: it sends the
 * plan's ETag as If-Match, so a change made by someone else in between makes the apply fail (412) instead of
 * applying something nobody saw. A plan that creates API keys needs {@code --keys-out FILE}: the keys' secrets
 * are shown once, so they go to a new file readable only by its owner, never to the CI log.
 */
public final class ConfigCli {
    static final String USAGE = """
            usage: tollgate config export [-f FILE] [--tenant SLUG] [--format yaml|json] [--server URL]
                   tollgate config diff  -f FILE [--tenant SLUG] [--prune] [--server URL]
                   tollgate config apply -f FILE [--tenant SLUG] [--prune] [--keys-out FILE] [--server URL]
            The token is read from TOLLGATE_TOKEN (an operator token from POST /api/v1/tokens).
            --server (or TOLLGATE_SERVER) is the admin's base URL, default http://127.0.0.1:8081.
            export without --tenant exports every tenant (platform admins). -f - is stdin/stdout.
            FILE is YAML unless it ends in .json. --tenant defaults to the document's tenant.slug.
            Exit codes: 0 no changes, 2 changes planned (diff) or applied (apply), 1 error.""";
    private static final Set<String> FLAGS = Set.of("prune");
    private static final Set<String> VALUED = Set.of("f", "file", "tenant", "server", "format", "keys-out");

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ConfigCli(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        return new ConfigCli(env, out, err).run(args);
    }

    private int run(String[] args) {
        if (args.length == 0) {
            err.println(USAGE);
            return 1;
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String name = arg.startsWith("--") ? arg.substring(2) : arg.startsWith("-") ? arg.substring(1) : null;
            if (name != null && FLAGS.contains(name)) {
                opts.put(name, "true");
            } else if (name != null && VALUED.contains(name) && i + 1 < args.length) {
                opts.put(name.equals("f") ? "file" : name, args[++i]);
            } else {
                err.println("config: unexpected argument '" + arg + "'\n" + USAGE);
                return 1;
            }
        }
        String token = env.get("TOLLGATE_TOKEN");
        if (token == null || token.isBlank()) {
            err.println("config: set TOLLGATE_TOKEN to an admin API token (POST /api/v1/tokens creates one)");
            return 1;
        }
        if (!token.strip().chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            // never echoed: a token captured with its JSON wrapper or a line break would otherwise end up in an
            // "invalid header value" message, and so in a CI log
            err.println("config: TOLLGATE_TOKEN holds characters a token cannot have (spaces, line breaks or"
                    + " non-ASCII); set it to the token alone");
            return 1;
        }
        String server = opts.getOrDefault("server", env.getOrDefault("TOLLGATE_SERVER", "http://127.0.0.1:8081"));
        String api = server.replaceAll("/+$", "") + (server.contains("/api/v1") ? "" : "/api/v1");
        try {
            return switch (args[0]) {
                case "export" -> export(api, token.strip(), opts);
                case "diff" -> plan(api, token.strip(), opts, false);
                case "apply" -> plan(api, token.strip(), opts, true);
                default -> {
                    err.println("config: unknown command '" + args[0] + "'\n" + USAGE);
                    yield 1;
                }
            };
        } catch (Failure e) {
            err.println("config " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (ConnectException e) {
            err.println("config " + args[0] + ": cannot connect to " + server + " (is the admin running? set --server)");
            return 1;
        } catch (IOException e) {
            err.println("config " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            // the message may quote a request header, so the token: only the kind of failure is printed
            err.println("config " + args[0] + ": failed (" + e.getClass().getSimpleName() + ")");
            return 1;
        }
    }

    private int export(String api, String token, Map<String, String> opts) throws IOException, InterruptedException {
        String file = opts.get("file");
        String format = opts.getOrDefault("format", file != null && file.endsWith(".json") ? "json" : "yaml");
        if (!format.equals("yaml") && !format.equals("json")) {
            throw new Failure("--format must be yaml or json");
        }
        String tenant = opts.get("tenant");
        String path = tenant == null ? "/config" : "/tenants/" + encode(tenant) + "/config";
        HttpResponse<String> res = send(HttpRequest.newBuilder(URI.create(api + path))
                .header("Accept", format.equals("yaml") ? ConfigFormats.YAML : ConfigFormats.JSON).GET(), token);
        expectOk(res);
        if (file == null || file.equals("-")) {
            out.print(res.body());
        } else {
            Files.writeString(Path.of(file), res.body());
            err.println("exported " + (tenant == null ? "every tenant" : "tenant " + tenant) + " to " + file
                    + " (ETag " + res.headers().firstValue("ETag").orElse("?") + ")");
        }
        return 0;
    }

    /** diff: the dry run's plan. apply: the same plan, then applied with its ETag as If-Match. */
    private int plan(String api, String token, Map<String, String> opts, boolean apply)
            throws IOException, InterruptedException {
        String file = opts.get("file");
        if (file == null) {
            throw new Failure("-f FILE is required\n" + USAGE);
        }
        byte[] document = file.equals("-") ? readAll(System.in) : Files.readAllBytes(Path.of(file));
        boolean json = file.endsWith(".json");
        String tenant = opts.get("tenant");
        if (tenant == null) {
            tenant = slugOf(document, json);
        }
        boolean prune = opts.containsKey("prune");
        String keysOut = opts.get("keys-out");
        if (apply && keysOut != null && Files.exists(Path.of(keysOut))) {
            throw new Failure("--keys-out " + keysOut + " already exists; name a new file");
        }
        String base = api + "/tenants/" + encode(tenant) + "/config?prune=" + prune;
        HttpResponse<String> planned = send(HttpRequest.newBuilder(URI.create(base + "&dry_run=true"))
                .header("Content-Type", json ? ConfigFormats.JSON : ConfigFormats.YAML)
                .POST(HttpRequest.BodyPublishers.ofByteArray(document)), token);
        expectOk(planned);
        JsonNode plan = Json.mapper().readTree(planned.body());
        print(plan, apply ? "Plan" : "Diff");
        if (!plan.path("changed").asBoolean()) {
            return 0;
        }
        if (!apply) {
            return 2;
        }
        long newKeys = 0;
        for (JsonNode change : plan.path("changes")) {
            if (change.path("action").asText().equals("create") && change.path("kind").asText().equals("api_key")) {
                newKeys++;
            }
        }
        if (newKeys > 0 && keysOut == null) {
            throw new Failure("the plan creates " + newKeys + " API key(s), whose secrets are shown only once: pass "
                    + "--keys-out FILE to receive them; nothing was applied");
        }
        HttpResponse<String> applied = send(HttpRequest.newBuilder(URI.create(base))
                .header("Content-Type", json ? ConfigFormats.JSON : ConfigFormats.YAML)
                .header("If-Match", plan.path("etag").asText())
                .POST(HttpRequest.BodyPublishers.ofByteArray(document)), token);
        if (applied.statusCode() == 412) {
            throw new Failure("the configuration changed after the plan was made; nothing was applied. Run again.");
        }
        expectOk(applied);
        JsonNode result = Json.mapper().readTree(applied.body());
        if (result.path("created_keys").size() > 0) {
            writeKeys(Path.of(keysOut), result.path("created_keys"));
        }
        JsonNode s = result.path("summary");
        out.printf("Applied to tenant %s: %d created, %d updated, %d deleted, %d revoked (ETag %s)%n", tenant,
                s.path("create").asInt(), s.path("update").asInt(), s.path("delete").asInt(), s.path("revoke").asInt(),
                result.path("etag_after").asText());
        return result.path("changed").asBoolean() ? 2 : 0;
    }

    /** A CI-log friendly plan: one line per object (+ create, ~ update, - delete or revoke), then its fields. */
    private void print(JsonNode plan, String what) {
        JsonNode s = plan.path("summary");
        if (!plan.path("changed").asBoolean()) {
            out.println(what + " for tenant " + plan.path("tenant").asText() + ": no changes.");
            return;
        }
        for (JsonNode change : plan.path("changes")) {
            String action = change.path("action").asText();
            String mark = switch (action) {
                case "create" -> "+";
                case "update" -> "~";
                default -> "-";
            };
            String id = change.has("public_id") ? " (" + change.path("public_id").asText() + ")" : "";
            out.println(mark + " " + change.path("kind").asText() + " " + change.path("name").asText() + id
                    + (action.equals("revoke") ? " (revoke)" : ""));
            for (JsonNode field : change.path("fields")) {
                if (action.equals("create")) {
                    out.println("    " + field.path("field").asText() + ": " + field.path("to"));
                } else {
                    out.println("    " + field.path("field").asText() + ": " + field.path("from") + " -> "
                            + field.path("to"));
                }
            }
        }
        out.printf("%s for tenant %s: %d to create, %d to update, %d to delete, %d to revoke%s.%n", what,
                plan.path("tenant").asText(), s.path("create").asInt(), s.path("update").asInt(),
                s.path("delete").asInt(), s.path("revoke").asInt(), plan.path("prune").asBoolean() ? " (prune)" : "");
    }

    private void writeKeys(Path file, JsonNode keys) throws IOException {
        StringBuilder text = new StringBuilder();
        for (JsonNode key : keys) {
            text.append(Json.mapper().writeValueAsString(key)).append('\n');
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new Failure("--keys-out " + file + " already exists; the keys' secrets were NOT saved: revoke "
                    + "the new keys and apply again");
        }
        Files.writeString(file, text, StandardOpenOption.TRUNCATE_EXISTING);
        err.println("wrote " + keys.size() + " new API key(s) with their secrets to " + file + " (shown only once)");
    }

    private static String slugOf(byte[] document, boolean json) {
        JsonNode doc;
        try {
            doc = ConfigFormats.read(document, !json);
        } catch (IOException e) {
            throw new Failure("the file is not valid " + (json ? "JSON" : "YAML") + ": " + e.getMessage());
        }
        String slug = doc == null ? "" : doc.path("tenant").path("slug").asText("");
        if (slug.isEmpty()) {
            throw new Failure("the document has no tenant.slug; pass --tenant SLUG");
        }
        return slug;
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String token)
            throws IOException, InterruptedException {
        request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(120));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Turns a problem answer into a readable error: its status, detail and each field that failed. */
    private static void expectOk(HttpResponse<String> res) {
        if (res.statusCode() == 200) {
            return;
        }
        StringBuilder message = new StringBuilder("the admin answered " + res.statusCode());
        try {
            JsonNode problem = Json.mapper().readTree(res.body());
            message.append(" ").append(problem.path("title").asText(""));
            if (problem.hasNonNull("detail")) {
                message.append(": ").append(problem.path("detail").asText());
            }
            for (JsonNode error : problem.path("errors")) {
                message.append("\n  ").append(error.path("field").asText()).append(": ")
                        .append(error.path("message").asText());
            }
        } catch (IOException | RuntimeException notJson) {
            // not a problem document: the status says enough
        }
        throw new Failure(message.toString());
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** An error to report in one message and exit 1. */
    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }
}
