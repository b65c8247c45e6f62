package io.tollgate.gateway.proxy;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.resilience.Backoff;
import io.tollgate.gateway.resilience.Deadline;
import io.tollgate.gateway.resilience.Outcome;
import io.tollgate.gateway.resilience.ServiceGuards;
import io.tollgate.gateway.resilience.TargetHealth;
import io.tollgate.gateway.snapshot.ResilienceSpec;
import io.tollgate.gateway.snapshot.UpstreamPool;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;

/**
 * The target-picking and retry loop both proxy paths run ({@link ProxyFilter} for HTTP/1.1, {@link Http2Forwarder}
 * for h2c and gRPC); only the attempt itself and which failures may be retried differ between them.
 *
 * <p>Each round: the request's {@link Deadline} must not have passed; a target is picked (consistent-hash key from
 * {@link #hashKey}) among those not tried yet for this request, else among all, and only one whose health grants a
 * permit; the attempt runs and its outcome is recorded on that target — except a broken reused connection or a
 * refused stream, which say nothing about the target and only release the permit. A broken reused connection gets
 * one attempt more when the failure is retryable, outside the retry count and budget. Any other retry must be
 * allowed by the path's rules, be within the service's retries, take a token from its retry budget
 * ({@link ServiceGuards#tryRetry}) and fit its jittered {@link Backoff} in the deadline. The last attempt is the
 * answer: the upstream's response, or 504 {@code upstream-timeout} / 502 {@code upstream-unavailable}; with no
 * target to send to at all, 503 {@code no-healthy-upstream}.
 */
final class RetryLoop {
    /** Methods that may be sent twice; any other needs an {@code Idempotency-Key} to be retried. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    /** Answers that say the target, not the request, failed; worth another target for a replayable request. */
    private static final Set<Integer> RETRYABLE_STATUS = Set.of(502, 503, 504);

    /** What went wrong talking to the upstream. */
    enum Failure {
        /** No byte of the request left: refused, connect timeout, unknown host. */
        NOT_CONNECTED,
        /** HTTP/2 only: the upstream reset the stream with REFUSED_STREAM, so did not process it. */
        REFUSED,
        /** A read timeout, or the deadline cut the attempt short. */
        TIMED_OUT,
        /** The connection or stream broke after the request (or part of it) was sent. */
        BROKEN;

        /** Decided from an exception's causes (HTTP/1.1). */
        static Failure of(Throwable error) {
            for (Throwable t = error; t != null; t = t.getCause()) {
                if (t instanceof SocketTimeoutException || t instanceof HttpTimeoutException) {
                    return TIMED_OUT;
                }
                if (t instanceof ConnectException) {
                    return NOT_CONNECTED;
                }
            }
            return BROKEN;
        }
    }

    /** One try: either an answer (headers read, body not yet) or how it failed. */
    interface Attempt {
        /** How it failed; null when the upstream answered. */
        Failure failure();

        /** The answer's status; only meaningful when {@link #failure()} is null. */
        int status();

        /** Whether the attempt went over a connection that had served earlier requests. */
        boolean reusedConnection();

        /** The upstream's answer, with its body still streaming; only when {@link #failure()} is null. */
        Response answer();

        /** Frees an answer that will not be used (another attempt follows, or the deadline passed). */
        void discard();

        default Outcome outcome() {
            if (failure() != null) {
                return switch (failure()) {
                    case NOT_CONNECTED -> Outcome.CONNECT_FAILURE;
                    case TIMED_OUT -> Outcome.TIMEOUT;
                    case BROKEN, REFUSED -> Outcome.RESET;
                };
            }
            return status() >= 500 ? Outcome.SERVER_ERROR : Outcome.SUCCESS;
        }

        /** A pooled connection the upstream may have closed meanwhile: no verdict on the target. */
        default boolean stale() {
            return failure() == Failure.BROKEN && reusedConnection();
        }
    }

    private final ServiceGuards guards;

    RetryLoop(ServiceGuards guards) {
        this.guards = guards;
    }

    /** Whether the request may be sent twice: an idempotent method, or one carrying {@code Idempotency-Key}. */
    static boolean idempotent(Exchange exchange) {
        return IDEMPOTENT.contains(exchange.method()) || exchange.requestHeaders().contains("Idempotency-Key");
    }

    /** Whether an answer's status is one worth another target. */
    static boolean retryableStatus(int status) {
        return RETRYABLE_STATUS.contains(status);
    }

    /**
     * Runs attempts until one is the answer: {@link Round} driven on the calling thread, sleeping through each
     * backoff.
     *
     * @param retryable the path's rules: whether this attempt may be retried at all (retries left, budget and
     *                  deadline are checked here)
     * @param attempt   sends the request to a target
     */
    Response run(Exchange exchange, UpstreamPool pool, Deadline deadline, Predicate<Attempt> retryable,
                 Function<UpstreamPool.Target, ? extends Attempt> attempt) {
        Round round = round(exchange, pool, deadline, retryable);
        for (UpstreamPool.Target target = round.next(); target != null; target = round.next()) {
            Attempt current;
            try {
                current = attempt.apply(target);
            } catch (RuntimeException e) {
                round.crashed(e);
                throw e;
            }
            Duration pause = round.after(current);
            if (pause == null) {
                break;
            }
            if (!pause.isZero()) {
                sleep(pause);
            }
        }
        return round.answer();
    }

    /** A new round of attempts for one request, to be driven step by step ({@link Round}). */
    Round round(Exchange exchange, UpstreamPool pool, Deadline deadline, Predicate<Attempt> retryable) {
        return new Round(pool, deadline, retryable, hashKey(exchange, pool.resilience()));
    }

    /**
     * The attempts for one request as steps, so that a driver that must not block (the event loop's forwarder) can
     * run the same rules as {@link #run}: {@link #next} gives a target with its permit held, or null when the round
     * is over; the driver sends the attempt and hands it to {@link #after}, which says whether and when to call
     * {@link #next} again; once either ends the round, {@link #answer} is the answer. An attempt that threw goes to
     * {@link #crashed} instead. One thread at a time (the driver's), like the request it serves.
     */
    final class Round {
        private final UpstreamPool pool;
        private final Deadline deadline;
        private final Predicate<Attempt> retryable;
        private final ResilienceSpec spec;
        private final String hashKey;
        /** Targets tried for this request, each once: a short list, as a request rarely tries more than two. */
        private final List<UpstreamPool.Target> tried = new ArrayList<>(2);
        private final ToIntFunction<UpstreamPool.Target> inFlight;
        /** A target not tried yet for this request, and only one this node may send to now (takes its permit). */
        private final Predicate<UpstreamPool.Target> untriedAndPermitted;
        /** Any target this node may send to now (takes its permit). */
        private final Predicate<UpstreamPool.Target> permitted;
        private int retries;
        private boolean freshRetryUsed;
        /** The latest attempt; discarded when another one follows or the deadline passes. */
        private Attempt last;
        /** The target of the attempt under way and its permit. */
        private UpstreamPool.Target target;
        private TargetHealth.Permit permit;
        private Response answer;

        private Round(UpstreamPool pool, Deadline deadline, Predicate<Attempt> retryable, String hashKey) {
            this.pool = pool;
            this.deadline = deadline;
            this.retryable = retryable;
            this.spec = pool.resilience();
            this.hashKey = hashKey;
            this.inFlight = t -> guards.health(pool, t).inFlight();
            this.permitted = this::acquire;
            this.untriedAndPermitted = t -> !tried.contains(t) && acquire(t);
        }

        /**
         * The target for the next attempt, its permit held until {@link #after} or {@link #crashed}; null when the
         * round is over (the deadline passed, or no target may be sent to), and then {@link #answer} is the answer.
         */
        UpstreamPool.Target next() {
            if (answer != null) {
                throw new IllegalStateException("the round is over");
            }
            if (deadline.expired()) {
                if (last != null) {
                    last.discard();
                }
                answer = Response.problem(Problem.of(ProblemType.UPSTREAM_TIMEOUT, null));
                return null;
            }
            // a target not tried yet for this request, else any; either way only one this node may send to now
            UpstreamPool.Target picked = pool.pick(hashKey, untriedAndPermitted, inFlight);
            if (picked == null) {
                picked = pool.pick(hashKey, permitted, inFlight);
            }
            if (picked == null) {
                answer = last != null ? RetryLoop.answer(last, deadline)
                        : Response.problem(Problem.of(ProblemType.NO_HEALTHY_UPSTREAM, null));
                return null;
            }
            if (last != null) {
                last.discard();
            }
            if (!tried.contains(picked)) {
                tried.add(picked);
            }
            target = picked;
            return picked;
        }

        /**
         * Records how the attempt on the target {@link #next} gave went and decides what follows: null when the
         * round is over ({@link #answer} is the answer), {@link Duration#ZERO} to call {@link #next} at once, else
         * the backoff to wait before calling it.
         */
        Duration after(Attempt current) {
            TargetHealth.Permit held = take();
            boolean stale = current.stale();
            if (stale || current.failure() == Failure.REFUSED) {
                // an old connection the upstream closed, or a stream it did not take: no verdict on the target
                held.release();
            } else {
                held.record(current.outcome(), spec);
            }
            last = current;
            boolean retry = retryable.test(current);
            if (stale && retry && !freshRetryUsed) {
                // one attempt more, outside the retry count and budget, finds a live or fresh connection
                freshRetryUsed = true;
                tried.remove(target);
                return Duration.ZERO;
            }
            retry &= retries < pool.retries();
            Duration pause = retry ? Backoff.before(retries + 1) : Duration.ZERO;
            if (retry && deadline.allows(pause) && guards.tryRetry(pool)) {
                retries++;
                return pause;
            }
            answer = RetryLoop.answer(current, deadline);
            return null;
        }

        /**
         * The attempt on the target {@link #next} gave threw: counts as a reset on the target, unless its outcome
         * was recorded already ({@link #after}: what threw came later).
         */
        void crashed(RuntimeException e) {
            if (permit != null) {
                take().record(Outcome.RESET, spec);
            }
        }

        /** The final answer, once {@link #next} gave null or {@link #after} gave null. */
        Response answer() {
            if (answer == null) {
                throw new IllegalStateException("the round is not over");
            }
            return answer;
        }

        private TargetHealth.Permit take() {
            TargetHealth.Permit held = permit;
            if (held == null) {
                throw new IllegalStateException("no attempt under way");
            }
            permit = null;
            return held;
        }

        private boolean acquire(UpstreamPool.Target candidate) {
            permit = guards.health(pool, candidate).tryAcquire(spec);
            return permit != null;
        }
    }

    /** The consistent-hash key: the configured header's value, else the caller's API key id; null for none. */
    static String hashKey(Exchange exchange, ResilienceSpec spec) {
        if (spec.lbPolicy() != ResilienceSpec.LbPolicy.CONSISTENT_HASH) {
            return null;
        }
        if (spec.hashHeader() != null) {
            return exchange.requestHeaders().first(spec.hashHeader());
        }
        return exchange.key() == null ? null : exchange.key().publicId();
    }

    /** The upstream's answer as it is, or the problem that stands for how the attempt failed. */
    private static Response answer(Attempt attempt, Deadline deadline) {
        if (attempt.failure() == null) {
            return attempt.answer();
        }
        return attempt.failure() == Failure.TIMED_OUT || deadline.expired()
                ? Response.problem(Problem.of(ProblemType.UPSTREAM_TIMEOUT, null))
                : Response.problem(Problem.of(ProblemType.UPSTREAM_UNAVAILABLE, null));
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
