package io.tollgate.gateway.pipeline;

/**
 * The rest of the pipeline after the current filter. A filter calls {@link #proceed} at most once, and only while
 * its own {@code handle} runs (the chain is the request's walk down the filters, not a handle to keep).
 */
public interface Chain {
    Response proceed(Exchange exchange);
}
