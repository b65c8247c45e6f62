package io.tollgate.gateway.pipeline;

/** One step of the pipeline. Either returns a response itself or calls {@link Chain#proceed} exactly once. */
@FunctionalInterface
public interface Filter {
    Response handle(Exchange exchange, Chain chain);
}
