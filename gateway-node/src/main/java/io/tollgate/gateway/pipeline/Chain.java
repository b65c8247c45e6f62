package io.tollgate.gateway.pipeline;

/** The rest of the pipeline after the current filter. */
public interface Chain {
    Response proceed(Exchange exchange);
}
