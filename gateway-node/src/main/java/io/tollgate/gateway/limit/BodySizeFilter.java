package io.tollgate.gateway.limit;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Chain;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Filter;
import io.tollgate.gateway.pipeline.Response;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Caps the request body at the route's {@code max_body_bytes}: a declared Content-Length over the cap is refused
 * before anything is forwarded; a chunked body is counted as it streams and the request fails with 413 as soon as
 * it passes the cap (the upstream sees a broken-off request, never the excess).
 */
public final class BodySizeFilter implements Filter {

    @Override
    public Response handle(Exchange exchange, Chain chain) {
        Long max = exchange.route().maxBodyBytes();
        if (max == null || !exchange.hasBody()) {
            return chain.proceed(exchange);
        }
        if (exchange.contentLength() > max) {
            return tooLarge(max);
        }
        CappedInputStream capped = new CappedInputStream(exchange.body(), max);
        exchange.body(capped);
        Response response = chain.proceed(exchange);
        if (capped.exceeded) {
            if (response.body() != null) {
                response.body().close();
            }
            return tooLarge(max);
        }
        return response;
    }

    private static Response tooLarge(long max) {
        return Response.problem(Problem.of(ProblemType.PAYLOAD_TOO_LARGE,
                "The request body is larger than " + max + " bytes"));
    }

    /** Fails the read that would pass the cap, and remembers that it did. */
    private static final class CappedInputStream extends FilterInputStream {
        private final long max;
        private long count;
        private volatile boolean exceeded;

        CappedInputStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) throws IOException {
            count += n;
            if (count > max) {
                exceeded = true;
                throw new IOException("request body over the route's limit");
            }
        }
    }
}
