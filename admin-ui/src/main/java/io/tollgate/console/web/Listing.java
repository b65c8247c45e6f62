package io.tollgate.console.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * One page of a list the console shows, filtered by {@code ?q=}, sorted by {@code ?sort=&dir=} and cut into
 * pages by {@code ?page=}. Lists of one tenant's services, routes and keys are small, so they are filtered and
 * sorted here after one bounded read (see {@link #MAX_ROWS}).
 */
public record Listing<T>(List<T> rows, int page, int pages, int total, String q, String sort, String dir,
                         String prevUrl, String nextUrl, Map<String, String> sortUrls, boolean truncated) {
    public static final int MAX_ROWS = 2000;
    public static final int PAGE_SIZE = 20;

    public static <T> Listing<T> of(Visit v, String basePath, List<T> all, BiPredicate<T, String> matches,
                                    Map<String, Comparator<T>> sorts, String defaultSort, Map<String, String> extra) {
        String q = v.query("q");
        String sort = sorts.containsKey(v.query("sort")) ? v.query("sort") : defaultSort;
        String dir = "desc".equals(v.query("dir")) ? "desc" : "asc";
        List<T> filtered = new ArrayList<>(q.isEmpty() ? all
                : all.stream().filter(row -> matches.test(row, q.toLowerCase())).toList());
        Comparator<T> order = sorts.get(sort);
        filtered.sort(dir.equals("desc") ? order.reversed() : order);
        int total = filtered.size();
        int pages = Math.max(1, (total + PAGE_SIZE - 1) / PAGE_SIZE);
        int page;
        try {
            page = Math.min(pages, Math.max(1, Integer.parseInt(v.query("page"))));
        } catch (NumberFormatException e) {
            page = 1;
        }
        List<T> rows = filtered.subList((page - 1) * PAGE_SIZE, Math.min(total, page * PAGE_SIZE));
        Map<String, String> sortUrls = new LinkedHashMap<>();
        for (String key : sorts.keySet()) {
            String nextDir = key.equals(sort) && dir.equals("asc") ? "desc" : "asc";
            sortUrls.put(key, url(basePath, q, key, nextDir, 1, extra));
        }
        return new Listing<>(List.copyOf(rows), page, pages, total, q, sort, dir,
                page > 1 ? url(basePath, q, sort, dir, page - 1, extra) : null,
                page < pages ? url(basePath, q, sort, dir, page + 1, extra) : null,
                sortUrls, all.size() >= MAX_ROWS);
    }

    /** The arrow beside a sorted column header, for sighted users; screen readers get aria-sort. */
    public String arrow(String key) {
        return key.equals(sort) ? (dir.equals("asc") ? " \u25B2" : " \u25BC") : "";
    }

    public String ariaSort(String key) {
        return key.equals(sort) ? (dir.equals("asc") ? "ascending" : "descending") : "none";
    }

    private static String url(String base, String q, String sort, String dir, int page, Map<String, String> extra) {
        StringBuilder sb = new StringBuilder(base).append("?sort=").append(Visit.encode(sort)).append("&dir=")
                .append(dir).append("&page=").append(page);
        if (!q.isEmpty()) {
            sb.append("&q=").append(Visit.encode(q));
        }
        extra.forEach((k, val) -> {
            if (val != null && !val.isEmpty()) {
                sb.append('&').append(Visit.encode(k)).append('=').append(Visit.encode(val));
            }
        });
        return sb.toString();
    }
}
