package io.tollgate.console.charts;

import java.util.List;
import java.util.Locale;

/**
 * Draws the dashboard's charts as SVG markup, sized by viewBox so they scale with the page. Styling is by
 * class (from the console stylesheet) because the CSP allows no inline styles.
 */
public final class Svg {
    private static final int W = 400;
    private static final int H = 210;
    private static final int LEFT = 48;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 28;

    /** One line: its CSS class suffix (requests, 4xx, 5xx), legend label and values. */
    public record Series(String kind, String label, double[] values) {
    }

    /** One horizontal bar: label, value and its text. */
    public record Bar(String label, double value, String valueText) {
    }

    private Svg() {
    }

    /** A line chart over evenly spaced points; {@code xLabels} name the first, middle and last point. */
    public static String lines(String title, List<Series> series, String[] xLabels, String unit) {
        int n = series.getFirst().values().length;
        double max = 0;
        for (Series s : series) {
            for (double v : s.values()) {
                max = Math.max(max, v);
            }
        }
        double top = niceCeiling(max);
        StringBuilder sb = open(title, W, H);
        double plotW = W - LEFT - RIGHT;
        double plotH = H - TOP - BOTTOM;
        for (int i = 0; i <= 4; i++) {
            double y = TOP + plotH - plotH * i / 4;
            sb.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>",
                    LEFT, y, W - RIGHT, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    LEFT - 6, y + 4, escape(number(top * i / 4) + unit)));
        }
        sb.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
                LEFT, TOP + (int) plotH, W - RIGHT, TOP + (int) plotH));
        int[] at = {0, (n - 1) / 2, n - 1};
        String[] anchor = {"start", "middle", "end"};
        for (int i = 0; i < 3; i++) {
            double x = LEFT + (n == 1 ? 0 : plotW * at[i] / (n - 1));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>", x, H - 8,
                    anchor[i], escape(xLabels[i])));
        }
        for (Series s : series) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < n; i++) {
                double x = LEFT + (n == 1 ? 0 : plotW * i / (n - 1));
                double y = TOP + plotH - (top == 0 ? 0 : plotH * s.values()[i] / top);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            sb.append("<polyline class=\"line-").append(escape(s.kind())).append("\" points=\"")
                    .append(points.toString().strip()).append("\"/>");
        }
        return sb.append("</svg>").toString();
    }

    /** Horizontal bars, one per row, scaled to the largest value. */
    public static String bars(String title, List<Bar> bars) {
        int rowH = 28;
        int labelW = 130;
        int h = TOP + bars.size() * rowH + 8;
        double max = bars.stream().mapToDouble(Bar::value).max().orElse(0);
        StringBuilder sb = open(title, W, h);
        double plotW = W - labelW - 70;
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double y = TOP + i * rowH;
            double w = max == 0 ? 0 : Math.max(1, plotW * b.value() / max);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
                    labelW - 8, y + 17, escape(shorten(b.label(), 20))));
            sb.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\"/>",
                    labelW, y + 4, w, rowH - 10));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", labelW + w + 6, y + 17,
                    escape(b.valueText())));
        }
        return sb.append("</svg>").toString();
    }

    /** One bar of {@code used} against {@code limit}; red past the limit. */
    public static String gauge(String title, long used, long limit) {
        int h = 44;
        StringBuilder sb = open(title, W, h);
        double share = limit <= 0 ? 0 : Math.min(1.0, (double) used / limit);
        double width = W - 2.0;
        sb.append(String.format(Locale.ROOT, "<rect class=\"track\" x=\"1\" y=\"6\" width=\"%.1f\" height=\"18\" rx=\"4\"/>",
                width));
        sb.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"1\" y=\"6\" width=\"%.1f\" height=\"18\" rx=\"4\"/>",
                used > limit ? "bar-over" : "bar", Math.max(used > 0 ? 2 : 0, width * share)));
        sb.append(String.format(Locale.ROOT, "<text x=\"1\" y=\"40\">%s</text>",
                escape(String.format(Locale.ROOT, "%,d of %,d requests (%.1f%%)", used, limit,
                        limit <= 0 ? 0.0 : 100.0 * used / limit))));
        return sb.append("</svg>").toString();
    }

    private static StringBuilder open(String title, int w, int h) {
        return new StringBuilder().append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(w)
                .append(' ').append(h).append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\"><title>")
                .append(escape(title)).append("</title>");
    }

    /** 1, 2, 5 times a power of ten, at least the value (and at least 1). */
    static double niceCeiling(double v) {
        if (v <= 1) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[]{1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String number(double v) {
        if (v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
