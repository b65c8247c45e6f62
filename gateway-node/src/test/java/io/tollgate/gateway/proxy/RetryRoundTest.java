package io.tollgate.gateway.proxy;

import io.tollgate.common.problem.ProblemType;
import io.tollgate.gateway.pipeline.Exchange;
import io.tollgate.gateway.pipeline.HttpFields;
import io.tollgate.gateway.pipeline.Response;
import io.tollgate.gateway.proxy.RetryLoop.Failure;
import io.tollgate.gateway.resilience.Deadline;
import io.tollgate.gateway.resilience.ServiceGuards;
import io.tollgate.gateway.snapshot.ResilienceSpec;
import io.tollgate.gateway.snapshot.UpstreamPool;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RetryLoop.Round} driven by hand, as the event loop's forwarder drives it, against a real
 * {@link UpstreamPool} and real {@link ServiceGuards}: which target comes next, what each attempt leads to (retry
 * now, after a backoff, or the answer), and the answer itself.
 */
class RetryRoundTest {
    private static final UpstreamPool.Target A = UpstreamPool.target("http://10.0.0.1:8080", 1);
    private static final UpstreamPool.Target B = UpstreamPool.target("http://10.0.0.2:8080", 1);
    /** Retry whatever fails (the proxy's own rules are ProxyFilter's; here only the loop's count). */
    private static final java.util.function.Predicate<RetryLoop.Attempt> ANY_FAILURE =
            attempt -> attempt.failure() != null || RetryLoop.retryableStatus(attempt.status());

    private final ServiceGuards guards = new ServiceGuards();
    private final RetryLoop loop = new RetryLoop(guards);

    /** An attempt as the driver made it: an answer with a status, or a failure. */
    private static final class Tried implements RetryLoop.Attempt {
        final int status;
        final Failure failure;
        final boolean reused;
        boolean discarded;

        Tried(int status, Failure failure, boolean reused) {
            this.status = status;
            this.failure = failure;
            this.reused = reused;
        }

        static Tried answered(int status) {
            return new Tried(status, null, false);
        }

        static Tried failed(Failure failure, boolean reused) {
            return new Tried(0, failure, reused);
        }

        @Override
        public Failure failure() {
            return failure;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public boolean reusedConnection() {
            return reused;
        }

        @Override
        public Response answer() {
            return Response.of(status, new HttpFields().add("X-Status", Integer.toString(status)), null);
        }

        @Override
        public void discard() {
            discarded = true;
        }
    }

    private static Exchange exchange() {
        return new Exchange("GET", "/", null, "h", "http", "127.0.0.1", new HttpFields(), InputStream.nullInputStream(),
                -1, false, System.nanoTime(), null);
    }

    private static UpstreamPool pool(String name, int retries, UpstreamPool.Target... targets) {
        return new UpstreamPool(name, List.of(targets), Duration.ofSeconds(1), Duration.ofSeconds(1), retries);
    }

    private int inFlight(UpstreamPool pool, UpstreamPool.Target target) {
        return guards.health(pool, target).inFlight();
    }

    @Test
    void a503IsRetriedOnTheOtherTargetAfterABackoffAndItsAnswerDiscarded() {
        UpstreamPool pool = pool("retry-503", 2, A, B);
        guards.recordRequest(pool);
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        UpstreamPool.Target first = round.next();
        assertThat(inFlight(pool, first)).isEqualTo(1);
        Tried unavailable = Tried.answered(503);
        Duration pause = round.after(unavailable);
        assertThat(pause).isPositive();
        assertThat(inFlight(pool, first)).isZero();

        UpstreamPool.Target second = round.next();
        assertThat(second).isNotEqualTo(first);
        assertThat(unavailable.discarded).isTrue();
        assertThat(round.after(Tried.answered(200))).isNull();
        assertThat(round.answer().status()).isEqualTo(200);
        assertThat(inFlight(pool, second)).isZero();
    }

    @Test
    void withTheRetryBudgetSpentTheLastAnswerIsTheAnswer() {
        UpstreamPool pool = pool("budget-spent", 3, A, B);
        while (guards.tryRetry(pool)) {
            // spend the budget's floor: no requests were counted to refill it
        }
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        round.next();
        Tried unavailable = Tried.answered(503);
        assertThat(round.after(unavailable)).isNull();

        assertThat(round.answer().status()).isEqualTo(503);
        assertThat(round.answer().headers().first("X-Status")).isEqualTo("503");
        assertThat(unavailable.discarded).isFalse();
    }

    @Test
    void withRetriesUsedUpAFailureIsAProblem() {
        UpstreamPool pool = pool("retries-used", 1, A, B);
        guards.recordRequest(pool);
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        round.next();
        assertThat(round.after(Tried.failed(Failure.NOT_CONNECTED, false))).isPositive();
        round.next();
        assertThat(round.after(Tried.failed(Failure.NOT_CONNECTED, false))).isNull();

        assertThat(round.answer().problem().type()).isEqualTo(ProblemType.UPSTREAM_UNAVAILABLE);
    }

    @Test
    void aPassedDeadlineEndsTheRoundWithUpstreamTimeoutAndDiscardsTheLastAnswer() throws InterruptedException {
        UpstreamPool pool = pool("deadline", 2, A, B);
        guards.recordRequest(pool);
        Deadline deadline = Deadline.of(System.nanoTime(), Duration.ofMillis(300), null);
        RetryLoop.Round round = loop.round(exchange(), pool, deadline, ANY_FAILURE);

        round.next();
        Tried unavailable = Tried.answered(503);
        Duration pause = round.after(unavailable);
        assertThat(pause).isNotNull();
        Thread.sleep(350);   // the driver waited longer than the deadline left

        assertThat(round.next()).isNull();
        assertThat(unavailable.discarded).isTrue();
        assertThat(round.answer().problem().type()).isEqualTo(ProblemType.UPSTREAM_TIMEOUT);
    }

    @Test
    void aDeadlinePassedBeforeTheFirstAttemptSendsNothing() throws InterruptedException {
        UpstreamPool pool = pool("deadline-first", 2, A);
        Deadline deadline = Deadline.of(System.nanoTime(), Duration.ofMillis(1), null);
        Thread.sleep(5);
        RetryLoop.Round round = loop.round(exchange(), pool, deadline, ANY_FAILURE);

        assertThat(round.next()).isNull();
        assertThat(round.answer().problem().type()).isEqualTo(ProblemType.UPSTREAM_TIMEOUT);
        assertThat(inFlight(pool, A)).isZero();
    }

    @Test
    void aStaleConnectionIsRetriedAtOnceOnTheSameTargetOnceOutsideTheRetryCountWithoutAVerdict() {
        // one failure recorded would eject the only target: the fresh retry could not pick it again
        ResilienceSpec ejectAtOnce = new ResilienceSpec(ResilienceSpec.LbPolicy.ROUND_ROBIN, null, 1,
                Duration.ofSeconds(30), 0, Duration.ofSeconds(10), 1, null);
        UpstreamPool pool = new UpstreamPool(UUID.randomUUID(), "stale", List.of(A), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0, ejectAtOnce);
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        assertThat(round.next()).isEqualTo(A);
        assertThat(round.after(Tried.failed(Failure.BROKEN, true))).isZero();
        assertThat(inFlight(pool, A)).isZero();

        assertThat(round.next()).isEqualTo(A);
        assertThat(round.after(Tried.failed(Failure.BROKEN, true))).isNull();   // only one fresh retry
        assertThat(round.answer().problem().type()).isEqualTo(ProblemType.UPSTREAM_UNAVAILABLE);
    }

    @Test
    void aFailureOnAFreshConnectionIsAVerdictOnTheTarget() {
        ResilienceSpec ejectAtOnce = new ResilienceSpec(ResilienceSpec.LbPolicy.ROUND_ROBIN, null, 1,
                Duration.ofSeconds(30), 0, Duration.ofSeconds(10), 1, null);
        UpstreamPool pool = new UpstreamPool(UUID.randomUUID(), "fresh-broken", List.of(A), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 0, ejectAtOnce);
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        round.next();
        assertThat(round.after(Tried.failed(Failure.BROKEN, false))).isNull();

        assertThat(guards.health(pool, A).ejected()).isTrue();
    }

    @Test
    void withNoTargetToSendToTheAnswerIsNoHealthyUpstream() {
        UpstreamPool pool = pool("drained", 2, UpstreamPool.target("http://10.0.0.3:8080", 0));
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        assertThat(round.next()).isNull();
        assertThat(round.answer().problem().type()).isEqualTo(ProblemType.NO_HEALTHY_UPSTREAM);
    }

    @Test
    void anAttemptThatThrewGivesBackItsPermit() {
        UpstreamPool pool = pool("crashed", 2, A);
        RetryLoop.Round round = loop.round(exchange(), pool, Deadline.NONE, ANY_FAILURE);

        round.next();
        assertThat(inFlight(pool, A)).isEqualTo(1);
        round.crashed(new IllegalStateException("bug"));

        assertThat(inFlight(pool, A)).isZero();
        // a second report (something threw again further down the same way) gives nothing back twice
        round.crashed(new IllegalStateException("again"));
        assertThat(inFlight(pool, A)).isZero();
    }

    @Test
    void runDrivesARoundToTheSameAnswer() {
        UpstreamPool pool = pool("run", 2, A, B);
        guards.recordRequest(pool);
        List<Integer> statuses = new java.util.ArrayList<>(List.of(502, 200));

        Response response = loop.run(exchange(), pool, Deadline.NONE, ANY_FAILURE,
                target -> Tried.answered(statuses.removeFirst()));

        assertThat(response.status()).isEqualTo(200);
        assertThat(statuses).isEmpty();
    }
}
