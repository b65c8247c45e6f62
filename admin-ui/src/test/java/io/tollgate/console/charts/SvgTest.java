package io.tollgate.console.charts;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SvgTest {
    @Test
    void labelsAreEscapedSoANameCannotBreakOutOfTheChart() {
        String svg = Svg.bars("p95 <per> route", List.of(new Svg.Bar("<script>alert(1)</script>", 10, "\u2264 10 ms")));
        assertThat(svg).doesNotContain("<script>").contains("&lt;script&gt;").contains("p95 &lt;per&gt; route");
    }

    @Test
    void axisTopIsANiceRoundNumberAboveTheLargestValue() {
        assertThat(Svg.niceCeiling(0)).isEqualTo(1);
        assertThat(Svg.niceCeiling(120)).isEqualTo(200);
        assertThat(Svg.niceCeiling(4.2)).isEqualTo(5);
        assertThat(Svg.niceCeiling(1000)).isEqualTo(1000);
    }

    @Test
    void aLineChartHasOnePointPerValueAndNoInlineStyle() {
        String svg = Svg.lines("requests", List.of(new Svg.Series("requests", "r", new double[]{1, 2, 3, 4})),
                new String[]{"a", "b", "c"}, "");
        String points = svg.replaceAll("(?s).*points=\"([^\"]+)\".*", "$1");
        assertThat(points.split(" ")).hasSize(4);
        assertThat(svg).doesNotContain("style=").startsWith("<svg").endsWith("</svg>").contains("role=\"img\"");
    }

    @Test
    void aGaugePastItsLimitTurnsRed() {
        assertThat(Svg.gauge("quota", 120, 100)).contains("class=\"bar-over\"").contains("120 of 100 requests");
        assertThat(Svg.gauge("quota", 50, 100)).contains("class=\"bar\"").contains("(50.0%)");
    }
}
