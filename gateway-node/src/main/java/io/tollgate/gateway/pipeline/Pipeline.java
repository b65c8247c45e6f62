package io.tollgate.gateway.pipeline;

import java.util.List;

/** Runs an exchange through an ordered list of filters; the last one must answer without proceeding. */
public final class Pipeline {
    private final List<Filter> filters;

    private Pipeline(List<Filter> filters) {
        if (filters.isEmpty()) {
            throw new IllegalArgumentException("a pipeline needs at least one filter");
        }
        this.filters = List.copyOf(filters);
    }

    public static Pipeline of(List<Filter> filters) {
        return new Pipeline(filters);
    }

    public Response run(Exchange exchange) {
        return new Run().proceed(exchange);
    }

    /**
     * One exchange's walk down the filters, and the chain every filter of it is given. One object per request
     * rather than one per filter: a filter proceeds only while its {@code handle} runs, so the filter running now
     * is always the one proceeding, and the walk only has to remember which that is. It refuses a second proceed
     * of the same filter, which would forward twice.
     */
    private final class Run implements Chain {
        /** The index of the filter running now; -1 before the first starts. */
        private int running = -1;
        /** The index of the furthest filter started: every filter before it has proceeded once. */
        private int reached = -1;

        @Override
        public Response proceed(Exchange exchange) {
            int caller = running;
            int index = caller + 1;
            if (index >= filters.size()) {
                throw new IllegalStateException("the last filter must not proceed");
            }
            if (reached >= index) {
                throw new IllegalStateException("filter " + caller + " proceeded twice");
            }
            reached = index;
            running = index;
            Response response;
            try {
                response = filters.get(index).handle(exchange, this);
            } finally {
                running = caller;
            }
            if (response == null) {
                throw new IllegalStateException("filter " + filters.get(index).getClass().getName()
                        + " returned no response");
            }
            return response;
        }
    }
}
