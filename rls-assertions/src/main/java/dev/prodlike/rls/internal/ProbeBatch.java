package dev.prodlike.rls.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

/**
 * Runs many probes as the app role in one round trip. A {@code DO} block runs each probe in its own
 * subtransaction (a plpgsql exception block) that it always rolls back, and reports each probe's results, or the
 * error that stopped it, as a notice. Probes cannot disturb one another: the tenant setting a probe sets is rolled
 * back with it, and an error ends only that probe.
 */
final class ProbeBatch {

    /** One statement of a probe: a query returning one text value, or a write whose row count is the result. */
    record Step(boolean query, String sql) {

        static Step query(String sql) {
            return new Step(true, sql);
        }

        static Step write(String sql) {
            return new Step(false, sql);
        }
    }

    /** Statements run in order acting as {@code tenant} ({@code null}: the setting is left as it is). */
    record Probe(String tenant, List<Step> steps) {

        Probe(String tenant, Step... steps) {
            this(tenant, List.of(steps));
        }
    }

    /** What one probe returned: a value per step, or the error that stopped it; null when it was never reached. */
    record Outcome(List<String> values, String sqlState, String message) {

        static final Outcome NOT_RUN = new Outcome(List.of(), null, "not run");

        boolean ok() {
            return sqlState == null && !values.isEmpty();
        }

        long count(int step) {
            return Long.parseLong(values.get(step));
        }

        String value(int step) {
            return values.get(step);
        }

        /** Constraint checks (SQLSTATE class 23) run after the RLS WITH CHECK of INSERT and UPDATE. */
        boolean passedRls() {
            return sqlState != null && sqlState.startsWith("23");
        }

        String error() {
            return message + " (SQLSTATE " + sqlState + ")";
        }
    }

    /** Probes per DO block: bounds the statement's size for schemas with many tables and tenants. */
    private static final int CHUNK = 2000;
    private static final char GS = 29;
    private static final String TAG = "$prodlike_probe$";
    private static final String PREFIX = "prodlike" + GS;

    private ProbeBatch() {
    }

    /**
     * @param c       an app-role connection with auto-commit off; rolled back afterwards
     * @param setting the tenant setting
     * @param probes  the probes, run in this order
     * @param timeout a statement_timeout for each block of probes (e.g. {@code 10s}), or null for none
     * @return an outcome per probe, in order; {@link Outcome#NOT_RUN} for probes the timeout cut off
     * @throws SQLException when the batch itself cannot run (not when a probe fails)
     */
    static List<Outcome> run(Connection c, String setting, List<Probe> probes, String timeout) throws SQLException {
        Outcome[] out = new Outcome[probes.size()];
        Arrays.fill(out, Outcome.NOT_RUN);
        for (int from = 0; from < probes.size(); from += CHUNK) {
            run(c, setting, probes.subList(from, Math.min(from + CHUNK, probes.size())), from, timeout, out);
        }
        return List.of(out);
    }

    private static void run(Connection c, String setting, List<Probe> probes, int offset, String timeout,
                            Outcome[] out) throws SQLException {
        String block = block(setting, probes, offset);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL client_min_messages = notice"
                    + (timeout == null ? "" : ";SET LOCAL statement_timeout = " + Sql.literal(timeout)));
            try {
                s.execute(block);
            } catch (SQLException e) {
                if (!"57014".equals(e.getSQLState())) { // cancelled by the timeout: keep what was reported
                    throw e;
                }
            } finally {
                for (SQLWarning w = s.getWarnings(); w != null; w = w.getNextWarning()) {
                    read(w.getMessage(), out);
                }
            }
        } finally {
            c.rollback();
        }
    }

    private static void read(String notice, Outcome[] out) {
        if (notice == null || !notice.startsWith(PREFIX)) {
            return; // a notice of the probed code itself
        }
        String[] f = notice.substring(PREFIX.length()).split(String.valueOf(GS), -1);
        int id = Integer.parseInt(f[1]);
        out[id] = f[0].equals("ok") ? new Outcome(List.of(f).subList(2, f.length), null, null)
                : new Outcome(List.of(), f[2], f[3].lines().findFirst().orElse(""));
    }

    private static String block(String setting, List<Probe> probes, int offset) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < probes.size(); i++) {
            Probe p = probes.get(i);
            json.append(i == 0 ? "" : ",").append("{\"t\":").append(p.tenant() == null ? "null" : json(p.tenant()))
                    .append(",\"s\":[");
            for (int j = 0; j < p.steps().size(); j++) {
                Step st = p.steps().get(j);
                json.append(j == 0 ? "" : ",").append("[\"").append(st.query() ? 'q' : 'w').append("\",")
                        .append(json(st.sql())).append(']');
            }
            json.append("]}");
        }
        json.append(']');
        String body = "DECLARE p jsonb; s jsonb; i int := " + offset + "; r text; n bigint; v text;\n"
                + "BEGIN\n"
                + "  FOR p IN SELECT * FROM jsonb_array_elements(" + Sql.literal(json.toString()) + "::jsonb) LOOP\n"
                + "    BEGIN\n"
                + "      IF p->>'t' IS NOT NULL THEN PERFORM set_config(" + Sql.literal(setting) + ", p->>'t', false);"
                + " END IF;\n"
                + "      r := 'prodlike' || chr(29) || 'ok' || chr(29) || i;\n"
                + "      FOR j IN 0 .. jsonb_array_length(p->'s') - 1 LOOP\n"
                + "        s := p->'s'->j;\n"
                + "        IF s->>0 = 'q' THEN\n"
                + "          EXECUTE s->>1 INTO v;\n"
                + "          r := r || chr(29) || coalesce(v, '');\n"
                + "        ELSE\n"
                + "          EXECUTE s->>1;\n"
                + "          GET DIAGNOSTICS n = ROW_COUNT;\n"
                + "          r := r || chr(29) || n;\n"
                + "        END IF;\n"
                + "      END LOOP;\n"
                + "      RAISE NOTICE '%', r;\n"
                + "      RAISE EXCEPTION USING ERRCODE = 'XPRBK';\n" // roll the probe back
                + "    EXCEPTION WHEN OTHERS THEN\n"
                + "      IF SQLSTATE <> 'XPRBK' THEN\n"
                + "        RAISE NOTICE '%', 'prodlike' || chr(29) || 'err' || chr(29) || i || chr(29) || SQLSTATE"
                + " || chr(29) || SQLERRM;\n"
                + "      END IF;\n"
                + "    END;\n"
                + "    i := i + 1;\n"
                + "  END LOOP;\n"
                + "END";
        if (body.contains(TAG)) {
            throw new IllegalStateException("A probe contains " + TAG + "; cannot quote it");
        }
        return "DO " + TAG + body + TAG;
    }

    private static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
