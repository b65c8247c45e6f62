package io.tollgate.gateway.pipeline;

import io.tollgate.common.problem.Problem;
import io.tollgate.common.problem.ProblemType;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineTest {
    private static Exchange exchange() {
        return new Exchange("GET", "/", null, "h", "http", "127.0.0.1", new HttpFields(), InputStream.nullInputStream(),
                -1, false, System.nanoTime(), null);
    }

    @Test
    void filtersRunInOrderAndAFilterCanEndTheExchange() {
        List<String> ran = new ArrayList<>();
        Pipeline pipeline = Pipeline.of(List.of(
                (exchange, chain) -> {
                    ran.add("first");
                    return chain.proceed(exchange);
                },
                (exchange, chain) -> {
                    ran.add("second");
                    return Response.problem(Problem.of(ProblemType.NO_ROUTE, null));
                },
                (exchange, chain) -> {
                    ran.add("never");
                    return Response.of(200, new HttpFields(), null);
                }));

        Response response = pipeline.run(exchange());

        assertThat(ran).containsExactly("first", "second");
        assertThat(response.problem().type()).isEqualTo(ProblemType.NO_ROUTE);
    }

    @Test
    void proceedingTwiceIsRefused() {
        Pipeline pipeline = Pipeline.of(List.of(
                (exchange, chain) -> {
                    chain.proceed(exchange);
                    return chain.proceed(exchange);
                },
                (exchange, chain) -> Response.of(200, new HttpFields(), null)));

        assertThatThrownBy(() -> pipeline.run(exchange())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void aFilterInTheMiddleProceedingTwiceIsNamed() {
        List<String> ran = new ArrayList<>();
        Pipeline pipeline = Pipeline.of(List.of(
                (exchange, chain) -> chain.proceed(exchange),
                (exchange, chain) -> {
                    chain.proceed(exchange);
                    return chain.proceed(exchange);
                },
                (exchange, chain) -> {
                    ran.add("last");
                    return Response.of(200, new HttpFields(), null);
                }));

        assertThatThrownBy(() -> pipeline.run(exchange())).isInstanceOf(IllegalStateException.class)
                .hasMessage("filter 1 proceeded twice");
        assertThat(ran).containsExactly("last");
    }

    @Test
    void aFilterThatCaughtADownstreamFailureCannotProceedAgain() {
        Pipeline pipeline = Pipeline.of(List.of(
                (exchange, chain) -> {
                    try {
                        return chain.proceed(exchange);
                    } catch (IllegalArgumentException e) {
                        return chain.proceed(exchange);
                    }
                },
                (exchange, chain) -> {
                    throw new IllegalArgumentException("broken");
                }));

        assertThatThrownBy(() -> pipeline.run(exchange())).isInstanceOf(IllegalStateException.class)
                .hasMessage("filter 0 proceeded twice");
    }

    @Test
    void aFilterThatCaughtADownstreamFailureCanStillAnswer() {
        List<String> ran = new ArrayList<>();
        Pipeline pipeline = Pipeline.of(List.of(
                (exchange, chain) -> {
                    ran.add("outer");
                    return chain.proceed(exchange);
                },
                (exchange, chain) -> {
                    try {
                        return chain.proceed(exchange);
                    } catch (IllegalArgumentException e) {
                        return Response.problem(Problem.of(ProblemType.INTERNAL, null));
                    }
                },
                (exchange, chain) -> {
                    throw new IllegalArgumentException("broken");
                }));

        assertThat(pipeline.run(exchange()).problem().type()).isEqualTo(ProblemType.INTERNAL);
        assertThat(pipeline.run(exchange()).problem().type()).isEqualTo(ProblemType.INTERNAL);
        assertThat(ran).containsExactly("outer", "outer");
    }

    @Test
    void aFilterReturningNothingIsNamed() {
        Pipeline pipeline = Pipeline.of(List.of(
                (exchange, chain) -> chain.proceed(exchange),
                (exchange, chain) -> null));

        assertThatThrownBy(() -> pipeline.run(exchange())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("returned no response");
    }

    @Test
    void lastFilterMustNotProceed() {
        Pipeline pipeline = Pipeline.of(List.of((exchange, chain) -> chain.proceed(exchange)));

        assertThatThrownBy(() -> pipeline.run(exchange())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void headerFieldsKeepOrderAndRepeatsAndIgnoreCase() {
        HttpFields fields = new HttpFields().add("Set-Cookie", "a=1").add("X-One", "1").add("set-cookie", "b=2");

        assertThat(fields.all("SET-COOKIE")).containsExactly("a=1", "b=2");
        fields.remove("Set-Cookie");
        assertThat(fields.size()).isEqualTo(1);
        assertThat(fields.first("x-one")).isEqualTo("1");
    }
}
