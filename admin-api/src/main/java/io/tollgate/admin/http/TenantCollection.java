package io.tollgate.admin.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.auth.Principal;
import io.tollgate.admin.change.Caller;
import io.tollgate.admin.change.Change;
import io.tollgate.admin.tenants.TenantScope;
import org.jooq.DSLContext;

import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.ToIntFunction;

/**
 * The REST shape every tenant-owned collection shares ({@code /tenants/{slug}/<name>} and
 * {@code /tenants/{slug}/<name>/{<param>}}: create, list, get, update, delete), as a thin adapter over the
 * collection's domain service. A caller without rights on the tenant is refused before its body is read.
 *
 * @param <T> what the collection holds
 * @param <C> what a create returns (the item, or the item with a secret shown once)
 */
public final class TenantCollection<T, C> implements HttpService {
    /** The domain operations behind the five endpoints, each checking RBAC and tenancy itself. */
    public interface Operations<T, C> {
        Change<C> create(DSLContext tx, Caller caller, String slug, ObjectNode body);

        List<T> page(Principal principal, String slug, UUID after, int limit);

        T get(Principal principal, String slug, String ref);

        T update(Caller caller, String slug, String ref, ObjectNode body, IntConsumer ifMatch);

        void delete(Caller caller, String slug, String ref, IntConsumer ifMatch);
    }

    /** How items look and are addressed. {@code created} builds a create's answer from the slug and result. */
    public record Shape<T, C>(Function<T, ObjectNode> view, Function<T, UUID> id, ToIntFunction<T> rowVersion,
                              BiFunction<String, C, Creates.Created> created) {
    }

    private final AdminContext ctx;
    private final String name;
    private final String param;
    private final Operations<T, C> ops;
    private final Shape<T, C> shape;

    public TenantCollection(AdminContext ctx, String name, String param, Operations<T, C> ops, Shape<T, C> shape) {
        this.ctx = ctx;
        this.name = name;
        this.param = param;
        this.ops = ops;
        this.shape = shape;
    }

    /** The path of one item, as Location headers name it. */
    public static String itemPath(String slug, String collection, UUID id) {
        return "/api/v1/tenants/" + slug + "/" + collection + "/" + id;
    }

    @Override
    public void routing(HttpRules rules) {
        String collection = "/tenants/{slug}/" + name;
        String item = collection + "/{" + param + "}";
        rules.post(collection, this::create)
                .get(collection, this::list)
                .get(item, this::get)
                .patch(item, this::update)
                .delete(item, this::delete);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        String slug = slug(req);
        TenantScope.forAdmin(ctx.db().dsl(), caller.principal(), slug);
        ObjectNode body = Api.body(req);
        Creates.handle(ctx.db(), ctx.writer(), req, res, caller, body, tx -> ops.create(tx, caller, slug, body),
                result -> shape.created().apply(slug, result));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        Page page = Page.of(req);
        List<T> rows = ops.page(caller.principal(), slug(req), page.afterId(), page.fetchSize());
        Api.ok(res, page.render(rows, shape.view(), t -> shape.id().apply(t).toString()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        T item = ops.get(ctx.caller(req).principal(), slug(req), ref(req));
        Api.json(res, Status.OK_200, shape.view().apply(item), Api.etag(shape.rowVersion().applyAsInt(item)));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller caller = ctx.caller(req);
        ObjectNode body = Api.body(req);
        T item = ops.update(caller, slug(req), ref(req), body, v -> Api.checkIfMatch(req, v));
        Api.json(res, Status.OK_200, shape.view().apply(item), Api.etag(shape.rowVersion().applyAsInt(item)));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        ops.delete(ctx.caller(req), slug(req), ref(req), v -> Api.checkIfMatch(req, v));
        res.status(Status.NO_CONTENT_204).send();
    }

    private static String slug(ServerRequest req) {
        return req.path().pathParameters().get("slug");
    }

    private String ref(ServerRequest req) {
        return req.path().pathParameters().get(param);
    }
}
