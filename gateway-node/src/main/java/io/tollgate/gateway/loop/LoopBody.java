package io.tollgate.gateway.loop;

import io.tollgate.gateway.pipeline.Body;

import java.io.OutputStream;

/**
 * A response body that arrives on an event loop and is pushed to the client without blocking
 * ({@link #stream}); the blocking ways of {@link Body} do not apply to it.
 */
public interface LoopBody extends Body {
    /** Starts pushing the body into {@code sink}, on the loop thread; ends with {@link BodySink#end}. */
    void stream(BodySink sink);

    /** The sink took its backlog: push on. */
    void resume();

    @Override
    default void writeTo(OutputStream out) {
        throw new UnsupportedOperationException("an event-loop body is streamed, not copied");
    }

    @Override
    default byte[] bytes() {
        throw new UnsupportedOperationException("an event-loop body is streamed, not read whole");
    }
}
