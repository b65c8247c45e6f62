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
        return new Step(0).proceed(exchange);
    }

    /** The chain as seen by filter {@code index}; it refuses a second proceed, which would forward twice. */
    private final class Step implements Chain {
        private final int index;
        private boolean proceeded;

        private Step(int index) {
            this.index = index;
        }

        @Override
        public Response proceed(Exchange exchange) {
            if (index >= filters.size()) {
                throw new IllegalStateException("the last filter must not proceed");
            }
            if (proceeded) {
                throw new IllegalStateException("filter " + (index - 1) + " proceeded twice");
            }
            proceeded = true;
            Response response = filters.get(index).handle(exchange, new Step(index + 1));
            if (response == null) {
                throw new IllegalStateException("filter " + filters.get(index).getClass().getName() + " returned no response");
            }
            return response;
        }
    }
}
