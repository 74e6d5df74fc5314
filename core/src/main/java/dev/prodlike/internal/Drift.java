package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Differences between what a test server runs and what the production profile declares, and the table that
 * {@code drift=fail} fails with.
 */
public final class Drift {

    /**
     * One compared item.
     *
     * @param key        profile key, e.g. {@code postgres.version}
     * @param production what the profile declares
     * @param test       what the test server runs
     */
    public record Finding(String key, String production, String test) {}

    private Drift() {}

    /**
     * The tail of every server start, for every service module: records the server in the report, announces it in
     * one line, then applies the profile's {@code drift} policy: under {@code drift=warn} the table is a warning,
     * under {@code drift=fail} the server is discarded and the table is the failure.
     *
     * @param report   the run's report
     * @param entry    the server's report entry (comparisons and timings filled in; the findings are added here)
     * @param ready    what started, e.g. {@code PostgreSQL 16.4 embedded (...) ready in 12 ms on 127.0.0.1:5432}
     * @param findings the drift findings (may be empty)
     * @param profile  the effective profile (its file and drift policy)
     * @param provider how the server was provided, for the table, e.g. {@code provider embedded (zonky binaries)}
     * @param fix      how to make the test server match production, one or more lines
     * @param discard  run before failing under {@code drift=fail} (stops the server), or {@code null}
     * @throws ExtensionConfigurationException with the drift table, under {@code drift=fail} when findings exist
     */
    public static void announce(
            EnvironmentReport report,
            EnvironmentReport.Entry entry,
            String ready,
            List<Finding> findings,
            ProductionProfile profile,
            String provider,
            String fix,
            Runnable discard) {
        report.put(entry.drift(lines(findings)));
        Console.line(ready + "; drift: " + (findings.isEmpty() ? "none" : findings.size() + " finding(s)")
                + "; report: " + report.directory().resolve("environment.md"));
        if (findings.isEmpty()) {
            return;
        }
        String source =
                profile.fileDescription().startsWith("prodlike") ? "prodlike.properties" : profile.fileDescription();
        if (profile.driftWarnOnly()) {
            Console.warning(table(findings, source, provider, fix));
            return;
        }
        if (discard != null) {
            discard.run();
        }
        throw new ExtensionConfigurationException(
                table(findings, source, provider, fix + "\nTo only warn, set drift=warn."));
    }

    /**
     * Renders findings as a table: key, production, test, provider; then the fix.
     *
     * @param findings  the differences (non-empty)
     * @param source    where production was declared, e.g. {@code prodlike.properties}
     * @param provider  how the test server was provided, e.g. {@code provider embedded: zonky binaries 15.10}
     * @param fix       what to do, one or more lines
     * @return the message
     */
    public static String table(List<Finding> findings, String source, String provider, String fix) {
        int keyWidth = "key".length();
        int prodWidth = 0;
        int testWidth = 0;
        for (Finding f : findings) {
            keyWidth = Math.max(keyWidth, f.key().length());
            prodWidth = Math.max(prodWidth, f.production().length());
            testWidth = Math.max(testWidth, f.test().length());
        }
        StringBuilder sb = new StringBuilder("Test environment differs from production (")
                .append(source)
                .append("):");
        for (Finding f : findings) {
            sb.append("\n  ")
                    .append(pad(f.key(), keyWidth))
                    .append("   production ")
                    .append(pad(f.production(), prodWidth))
                    .append("   test ")
                    .append(pad(f.test(), testWidth))
                    .append("   (")
                    .append(provider)
                    .append(')');
        }
        if (fix != null && !fix.isBlank()) {
            sb.append('\n').append(fix);
        }
        return sb.toString();
    }

    /**
     * @param findings findings
     * @return them as {@code key: production X, test Y} strings, for the report
     */
    public static List<String> lines(List<Finding> findings) {
        List<String> out = new ArrayList<>();
        for (Finding f : findings) {
            out.add(f.key() + ": production " + f.production() + ", test " + f.test());
        }
        return out;
    }

    private static String pad(String s, int width) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < width) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
