package io.tollgate.console.tenant;

import io.helidon.webserver.http.HttpRules;
import io.tollgate.admin.AdminContext;
import io.tollgate.admin.routes.Routes;
import io.tollgate.console.charts.Svg;
import io.tollgate.console.web.Listing;
import io.tollgate.console.web.Pages;
import io.tollgate.console.web.Visit;
import io.tollgate.db.model.Route;
import io.tollgate.db.model.Tenant;
import io.tollgate.db.model.UsageMinute;
import io.tollgate.db.store.UsageReportStore;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The tenant overview: requests per minute, 4xx and 5xx rates, p95 latency per route and quota used against the
 * plan, over the last hour (per minute) or day (per 15 minutes), from the gateway nodes' usage rollups. Charts
 * are SVG drawn here, so the page needs no script.
 */
final class DashboardPage {
    private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

    private final AdminContext ctx;
    private final Pages pages;
    private final Routes routes;

    DashboardPage(AdminContext ctx, Pages pages) {
        this.ctx = ctx;
        this.pages = pages;
        this.routes = new Routes(ctx.db(), ctx.writer());
    }

    void routing(HttpRules rules) {
        rules.get("/t/{slug}", pages.signedIn(this::show));
    }

    private void show(Visit v) {
        Tenant tenant = TenantPages.readable(ctx, v);
        boolean day = "day".equals(v.query("range"));
        Duration span = day ? Duration.ofDays(1) : Duration.ofHours(1);
        int bucketMinutes = day ? 15 : 1;
        OffsetDateTime to = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        if (day) {
            to = to.truncatedTo(ChronoUnit.HOURS).plusMinutes(15L * ((to.getMinute() + 14) / 15));
        }
        OffsetDateTime from = to.minus(span);
        UsageReportStore store = new UsageReportStore(ctx.db().dsl());
        UsageSummary usage = new UsageSummary(from, span, bucketMinutes, store.minutes(tenant.id(), from, to));

        Map<UUID, String> routeNames = routes.page(v.principal(), tenant.slug(), null, Listing.MAX_ROWS).stream()
                .collect(Collectors.toMap(Route::id, Route::name));
        String[] xLabels = {from.format(HH_MM), from.plus(span.dividedBy(2)).format(HH_MM), to.format(HH_MM) + " UTC"};
        String window = day ? "the last 24 hours" : "the last hour";

        var model = TenantPages.model(v, tenant, "dashboard");
        model.put("range", day ? "day" : "hour");
        model.put("window", window);
        model.put("usage", Map.of("requests", usage.totalRequests, "errors4xx", usage.total4xx,
                "errors5xx", usage.total5xx));
        model.put("hasTraffic", usage.totalRequests > 0);
        model.put("routeCount", routeNames.size());
        model.put("routes", usage.routes);
        model.put("routeNames", routeNames);
        if (usage.totalRequests > 0) {
            model.put("requestsChart", Svg.lines("Requests per minute over " + window,
                    List.of(new Svg.Series("requests", "requests/min", usage.perMinute())), xLabels, ""));
            model.put("errorsChart", Svg.lines("4xx and 5xx share of requests over " + window, List.of(
                    new Svg.Series("4xx", "4xx %", UsageSummary.rate(usage.errors4xx, usage.requests)),
                    new Svg.Series("5xx", "5xx %", UsageSummary.rate(usage.errors5xx, usage.requests))),
                    xLabels, "%"));
            model.put("latencyChart", Svg.bars("p95 latency per route over " + window, usage.routes.stream()
                    .limit(10)
                    // a p95 in the open last bucket is drawn past the largest bound, labelled "> 10000 ms"
                    .map(r -> new Svg.Bar(routeNames.getOrDefault(r.routeId(), "deleted route"),
                            r.p95Millis() < 0 ? 2.0 * UsageMinute.LATENCY_BOUNDS_MS.getLast() : r.p95Millis(), r.p95Text()))
                    .toList()));
        }
        OffsetDateTime periodStart = "day".equals(tenant.plan().quotaPeriod())
                ? OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS)
                : OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        long used = store.requestsSince(tenant.id(), periodStart);
        model.put("quotaUsed", used);
        model.put("quotaPeriod", tenant.plan().quotaPeriod());
        if (tenant.plan().quota() != null) {
            model.put("quotaChart", Svg.gauge("Quota used this " + tenant.plan().quotaPeriod(), used,
                    tenant.plan().quota()));
        }
        v.render("dashboard", model);
    }
}
