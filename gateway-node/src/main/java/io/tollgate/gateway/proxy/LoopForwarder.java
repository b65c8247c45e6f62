package io.tollgate.gateway.proxy;

import io.tollgate.gateway.loop.EventLoop;
import io.tollgate.gateway.loop.Forwarder;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.proxy.RetryLoop.Failure;
import io.tollgate.gateway.resilience.Deadline;
import io.tollgate.gateway.resilience.ServiceGuards;
import io.tollgate.gateway.snapshot.RouteSpec;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@link ProxyFilter}'s forwarding for requests an event loop read (io.tollgate.gateway.loop): the same target
 * choice and retry rules ({@link RetryLoop.Round}, driven by callbacks and loop timers instead of a blocked
 * thread), the same request head ({@link ProxyFilter#requestHeaders}), the same answer fields
 * ({@link ProxyFilter#answerFields}), over each loop's own pool of non-blocking connections
 * ({@link LoopConnections}). Only what it {@link #serves} comes here: routes to plain-http HTTP/1.1 services
 * without a response cache, for requests without a body (io.tollgate.gateway.loop.RequestHead hands the others to
 * Helidon), so a request here can always be sent again when the rules allow a retry.
 */
public final class LoopForwarder implements Forwarder {
    private static final System.Logger LOG = System.getLogger(LoopForwarder.class.getName());

    private final ServiceGuards guards;
    private final RetryLoop retries;
    private final ConcurrentHashMap<EventLoop, LoopConnections> pools = new ConcurrentHashMap<>();

    public LoopForwarder(ServiceGuards guards) {
        this.guards = guards;
        this.retries = new RetryLoop(guards);
    }

    @Override
    public boolean serves(RouteSpec route) {
        UpstreamPool pool = route.upstream();
        if (route.cache() != null || pool.protocol() != UpstreamPool.Protocol.HTTP1) {
            return false;
        }
        for (UpstreamPool.Target target : pool.targets()) {
            if (target.tls()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void forward(Exchange exchange, EventLoop loop, Consumer<Response> answer) {
        LoopConnections connections = pools.computeIfAbsent(loop, LoopConnections::new);
        new Call(exchange, connections, answer).next();
    }

    /** One exchange's way through the retry rules. */
    private final class Call implements LoopConnection.Listener {
        private final Exchange exchange;
        private final LoopConnections connections;
        private final Consumer<Response> answer;
        private final UpstreamPool pool;
        private final Deadline deadline;
        private final RetryLoop.Round round;
        private LoopConnection connection;
        private boolean reused;
        private boolean deadlineCut;
        private boolean answered;
        private long sentNanos;

        Call(Exchange exchange, LoopConnections connections, Consumer<Response> answer) {
            this.exchange = exchange;
            this.connections = connections;
            this.answer = answer;
            this.pool = exchange.route().upstream();
            guards.recordRequest(pool);
            this.deadline = Deadline.of(exchange.startNanos(), exchange.route().deadline(),
                    exchange.requestHeaders().first("grpc-timeout"));
            boolean idempotent = RetryLoop.idempotent(exchange);
            // no request body here: every request is replayable
            this.round = retries.round(exchange, pool, deadline,
                    attempt -> idempotent && ProxyFilter.retryable(attempt, true));
        }

        void next() {
            UpstreamPool.Target target;
            try {
                target = round.next();
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            if (target == null) {
                reply(round.answer());
                return;
            }
            guarded(() -> attempt(target));
        }

        /**
         * Runs a step of an attempt; if it throws, as RetryLoop.run does: the permit records the failure, the
         * exchange still gets its answer (never left waiting for one that cannot come).
         */
        private void guarded(Runnable step) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (connection != null) {
                    connection.close();
                    connection = null;
                }
                round.crashed(e);
                fail(e);
            }
        }

        private void attempt(UpstreamPool.Target target) {
            exchange.target(target.url());
            Duration connectTimeout = deadline.isSet() && deadline.remaining().compareTo(pool.connectTimeout()) < 0
                    ? deadline.remaining()
                    : pool.connectTimeout();
            deadlineCut = connectTimeout.compareTo(pool.connectTimeout()) < 0;
            LoopConnections.Key key = LoopConnections.Key.of(target);
            connection = connections.take(key);
            reused = connection != null;
            if (connection != null) {
                send(target);
                return;
            }
            // the address may come later, in a loop task of its own: the step is guarded there too
            connections.resolve(key, address -> guarded(() -> {
                try {
                    connection = LoopConnection.connect(connections.loop(), connections, key, address,
                            connectTimeout.toNanos());
                } catch (IOException | RuntimeException e) {
                    failed(Failure.NOT_CONNECTED, e instanceof IOException io ? io : new IOException(e));
                    return;
                }
                send(target);
            }), e -> failed(Failure.NOT_CONNECTED, e));
        }

        private void send(UpstreamPool.Target target) {
            HeadBuffer head = connections.head();   // the loop's one buffer: send() copies what it cannot write at once
            head.startRequest(exchange.method(), ProxyFilter.requestTarget(exchange, target), target.authority());
            ProxyFilter.requestHeaders(exchange, head);
            ProxyFilter.deadlineFields(exchange, deadline, head);
            head.end();
            sentNanos = System.nanoTime();
            connection.send(head.bytes(), head.length(), "HEAD".equals(exchange.method()),
                    deadline.cap(pool.readTimeout()).toNanos(), this);
        }

        @Override
        public void head(ResponseHead responseHead) {
            exchange.upstreamNanos(System.nanoTime() - sentNanos);
            LoopConnection answered = connection;
            connection = null;   // the attempt has it now: once its body is read it may serve another exchange
            after(new LoopAttempt(this, answered, responseHead, null, reused));
        }

        @Override
        public void failed(Failure failure, IOException cause) {
            LOG.log(System.Logger.Level.DEBUG, () -> "upstream " + exchange.target() + " failed for request "
                    + exchange.requestId() + ": " + cause);
            if (failure == Failure.NOT_CONNECTED && deadlineCut && cause instanceof SocketTimeoutException) {
                // a connect cut short by the deadline is the deadline passing (504, not retried)
                failure = Failure.TIMED_OUT;
            }
            connection = null;   // closed by now
            after(new LoopAttempt(this, null, null, failure, reused));
        }

        private void after(LoopAttempt attempt) {
            Duration pause;
            try {
                pause = round.after(attempt);
            } catch (RuntimeException e) {
                attempt.discard();
                fail(e);
                return;
            }
            if (pause == null) {
                reply(round.answer());
            } else if (pause.isZero()) {
                next();
            } else {
                connections.loop().schedule(pause.toNanos(), this::next);
            }
        }

        private void fail(RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request " + exchange.requestId() + " failed while forwarding", e);
            reply(Response.problem(io.tollgate.common.problem.Problem.of(
                    io.tollgate.common.problem.ProblemType.INTERNAL, null)));
        }

        /** Gives the exchange its answer, once: a failure after it was answered has nobody left to tell. */
        private void reply(Response response) {
            if (!answered) {
                answered = true;
                answer.accept(response);
            } else if (response.body() != null) {
                response.body().close();   // nobody takes it: its upstream connection must not wait for ever
            }
        }
    }

    /** One try on the loop: the answer's head (body still on the connection) or how it failed. */
    private record LoopAttempt(Call call, LoopConnection connection, ResponseHead head, Failure failure,
                               boolean reusedConnection) implements RetryLoop.Attempt {
        @Override
        public int status() {
            return head == null ? 0 : head.status();
        }

        @Override
        public Response answer() {
            Exchange exchange = call.exchange;
            HttpFields fields = ProxyFilter.answerFields(exchange, head.fields());
            int status = head.status();
            if (ProxyFilter.bodiless(exchange, status) || head.framing() == UpstreamResponse.NO_BODY) {
                connection.finish(head.keepAlive());
                return Response.of(status, fields, null);
            }
            return Response.of(status, fields, new LoopUpstreamBody(connection, head));
        }

        @Override
        public void discard() {
            if (connection != null) {
                connection.close();
            }
        }
    }
}
