package dev.prodlike.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table (console and Markdown) and the numbers (JSON) of one harness run. */
final class Results {

    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Double> numbers = new LinkedHashMap<>();

    void row(String row, String measure, String prodlike, String alternative, String ratio, String target) {
        rows.add(new String[] {row, measure, prodlike, alternative, ratio, target});
    }

    void note(String text) {
        notes.add(text);
    }

    void number(String key, double value) {
        numbers.put(key, value);
    }

    /** @return a number recorded earlier, NaN when none */
    double get(String key) {
        Double v = numbers.get(key);
        return v == null ? Double.NaN : v;
    }

    static String ms(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return v >= 100
                ? String.format(Locale.ROOT, "%,.0f ms", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f ms", v) : String.format(Locale.ROOT, "%.2f ms", v);
    }

    static String count(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f", v);
    }

    static String times(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.1f×", v);
    }

    /** @return how many times faster prodlike is, or slower when the alternative took less time */
    static String faster(double alternative, double prodlike) {
        double r = alternative / prodlike;
        if (Double.isNaN(r) || Double.isInfinite(r)) {
            return "n/a";
        }
        return r >= 1
                ? String.format(Locale.ROOT, "%.1f× faster", r)
                : String.format(Locale.ROOT, "%.1f× slower", 1 / r);
    }

    static String mb(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.0f MB", v);
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append(
                "| # | Measure | prodlike | Alternative (same run, same PostgreSQL 16.4 binaries) | Ratio | Target |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        if (!notes.isEmpty()) {
            b.append('\n');
            for (String n : notes) {
                b.append("- ").append(n).append('\n');
            }
        }
        return b.toString();
    }

    String json() {
        StringBuilder b = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Double> e : numbers.entrySet()) {
            double v = e.getValue();
            String value = Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.3f", v);
            b.append("  \"")
                    .append(e.getKey())
                    .append("\": ")
                    .append(value)
                    .append(++i < numbers.size() ? ",\n" : "\n");
        }
        return b.append("}\n").toString();
    }

    void write(Path target) throws IOException {
        Files.createDirectories(target);
        Files.writeString(target.resolve("results.md"), "# prodlike benchmarks\n\n" + markdown());
        Files.writeString(target.resolve("results.json"), json());
    }
}
