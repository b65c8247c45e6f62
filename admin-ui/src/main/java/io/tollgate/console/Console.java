package io.tollgate.console;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.common.problem.ProblemException;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.console.audit.AuditPages;
import io.tollgate.console.platform.PlatformPages;
import io.tollgate.console.signin.SignInPages;
import io.tollgate.console.tenant.TenantPages;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Sessions;
import io.tollgate.console.web.Views;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/** Every console page, registered at {@code /} beside the REST API. */
final class Console implements HttpService {
    private static final Map<String, String> STATIC = Map.of(
            "console.css", "text/css; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8");

    private final Pages pages;
    private final SignInPages signIn;
    private final TenantPages tenant;
    private final PlatformPages platform;
    private final AuditPages audit;

    Console(AdminContext ctx, URI gatewayUrl) {
        this.pages = new Pages(ctx, new Views(), new Sessions(ctx.db(), ctx.clock()));
        this.signIn = new SignInPages(ctx, pages);
        this.tenant = new TenantPages(ctx, pages, gatewayUrl);
        this.platform = new PlatformPages(ctx, pages);
        this.audit = new AuditPages(ctx, pages);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/static/{file}", Console::staticFile);
        signIn.routing(rules);
        tenant.routing(rules);
        platform.routing(rules);
        audit.routing(rules);
        rules.get("/favicon.ico", (req, res) -> res.status(Status.NO_CONTENT_204).send());
        rules.any("/*", pages.open(v -> {
            throw ProblemException.of(ProblemType.NOT_FOUND, "There is no page at this address.");
        }));
    }

    /** The stylesheet and the one small script; both are optional for every flow. */
    private static void staticFile(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().get("file");
        String type = STATIC.get(file);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        if (type == null) {
            res.status(Status.NOT_FOUND_404).send();
            return;
        }
        try (InputStream in = Console.class.getResourceAsStream("/static/" + file)) {
            res.header(HeaderNames.CONTENT_TYPE, type);
            res.header(HeaderNames.CACHE_CONTROL, "public, max-age=300");
            res.send(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
