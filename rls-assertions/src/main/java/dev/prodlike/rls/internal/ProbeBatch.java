package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs many probes as the app role in one round trip. A {@code DO} block runs each probe in its own
 * subtransaction (a plpgsql exception block) that it always rolls back, and reports each probe's results, or the
 * error that stopped it. Probes cannot disturb one another: the tenant setting a probe sets is rolled back with it,
 * and an error ends only that probe.
 *
 * <p>Without a time budget the block collects the reports into a transaction-local setting, which a query in the
 * same round trip reads back as one value: a notice per probe cost the server and the driver about a third of the
 * batch (each is a message, and a {@code SQLWarning} with a stack trace in the driver), and even one notice of that
 * size is parsed character by character by the driver. With a time budget each probe reports as a notice as it
 * ends, so what ran before a cancellation is kept.
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
    /** The transaction-local setting that hands a block its probes. */
    private static final String PROBES = "prodlike.probes";

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** The transaction-local setting in which a block that collects its probes' reports leaves them. */
    private static final String REPORTS = "prodlike.reports";

    private ProbeBatch() {}

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

    private static void run(Connection c, String setting, List<Probe> probes, int offset, String timeout, Outcome[] out)
            throws SQLException {
        String json = json(probes);
        String block = block(setting, offset, timeout != null);
        // The probes travel as a bound parameter, not inside the DO statement's text: the driver neither scans
        // nor escapes them, and the server parses them once, as jsonb.
        // No parallel workers (as AppConnections.OPTIONS; the owner's connection runs the non-interference probes).
        String settings = "SELECT set_config('client_min_messages', 'notice', true),"
                + " set_config('max_parallel_workers_per_gather', '0', true), set_config('" + PROBES + "', ?, true)";
        try {
            if (timeout == null) {
                // one round trip: the settings, the block, and the reports it collected, read back as a query's
                // value (a notice of that size costs the driver a character-by-character parse and a SQLWarning)
                try (PreparedStatement ps = c.prepareStatement(
                        settings + ";\n" + block + ";\n" + "SELECT current_setting('" + REPORTS + "')")) {
                    ps.setString(1, json);
                    try {
                        ps.execute();
                        boolean rs = ps.getMoreResults(); // the block's result: none
                        while (!rs && ps.getUpdateCount() != -1) {
                            rs = ps.getMoreResults();
                        }
                        if (rs) {
                            try (ResultSet r = ps.getResultSet()) {
                                r.next();
                                for (String report : jsonStrings(r.getString(1), 0)) {
                                    read(report, out);
                                }
                            }
                        }
                    } catch (SQLException e) {
                        if ("57014".equals(e.getSQLState())) { // every outcome would silently be "not run"
                            c.rollback();
                            throw cancelled(c, probes.size(), e);
                        }
                        throw e;
                    } finally {
                        for (SQLWarning w = ps.getWarnings(); w != null; w = w.getNextWarning()) {
                            read(w.getMessage(), out); // a notice of the probed code: ignored
                        }
                    }
                }
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(settings + ", set_config('statement_timeout', ?, true)")) {
                ps.setString(1, json);
                ps.setString(2, timeout);
                ps.execute();
            }
            try (Statement s = c.createStatement()) {
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
            }
        } finally {
            c.rollback();
        }
    }

    /** @return why a batch without a time budget was cancelled, naming the setting that did it and the fix */
    private static IllegalStateException cancelled(Connection c, int probes, SQLException e) throws SQLException {
        String role = "<app role>";
        String database = "<database>";
        String timeout = "?";
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT current_user, current_database()," + " current_setting('statement_timeout')")) {
            if (rs.next()) {
                role = rs.getString(1);
                database = rs.getString(2);
                timeout = rs.getString(3);
            }
        }
        return new IllegalStateException(
                "The RLS audit's batch of " + probes + " probes as role " + role
                        + " was cancelled (" + e.getMessage() + ", SQLSTATE 57014) with statement_timeout = " + timeout
                        + ": a batch runs as one statement and needs longer. The audit sets statement_timeout = 0 on its own"
                        + " connections, so something set it again for this session. Fix: let the audit's connections run"
                        + " without it, e.g. ALTER ROLE " + Sql.ident(role) + " IN DATABASE " + Sql.ident(database)
                        + " RESET statement_timeout; (or raise it above a batch's duration)",
                e);
    }

    private static void read(String notice, Outcome[] out) {
        if (notice == null) {
            return;
        }
        if (!notice.startsWith(PREFIX)) {
            return; // a notice of the probed code itself
        }
        String[] f = notice.substring(PREFIX.length()).split(String.valueOf(GS), -1);
        int id = Integer.parseInt(f[1]);
        out[id] = f[0].equals("ok")
                ? new Outcome(List.of(f).subList(2, f.length), null, null)
                : new Outcome(List.of(), f[2], firstLine(f[3]));
    }

    /** @return the probes as a JSON array: {@code [{"t": tenant or null, "s": [["q" or "w", sql], ...]}, ...]} */
    private static String json(List<Probe> probes) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < probes.size(); i++) {
            Probe p = probes.get(i);
            json.append(i == 0 ? "{\"t\":" : ",{\"t\":");
            if (p.tenant() == null) {
                json.append("null");
            } else {
                json(json, p.tenant());
            }
            json.append(",\"s\":[");
            for (int j = 0; j < p.steps().size(); j++) {
                Step st = p.steps().get(j);
                json.append(j == 0 ? "" : ",").append(st.query() ? "[\"q\"," : "[\"w\",");
                json(json, st.sql());
                json.append(']');
            }
            json.append("]}");
        }
        return json.append(']').toString();
    }

    /** @return the text up to its first line break ({@code String.lines()} without a stream per error) */
    private static String firstLine(String text) {
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\n' || ch == '\r') {
                return text.substring(0, i);
            }
        }
        return text;
    }

    /**
     * @param offset the index of the first probe
     * @param stream whether each probe reports as it ends (else the reports are collected into {@value #REPORTS})
     * @return the DO block that runs the probes held in the setting {@value #PROBES}
     */
    private static String block(String setting, int offset, boolean stream) {
        // array_append onto a plpgsql variable appends in place; text || text would copy the whole text each time
        String report = stream ? "RAISE NOTICE '%', r;" : "acc := array_append(acc, r);";
        String body = "DECLARE p jsonb; s jsonb; i int := " + offset + "; r text; n bigint; v text;"
                + " acc text[] := '{}';\n"
                + "BEGIN\n"
                + "  FOR p IN SELECT * FROM jsonb_array_elements(current_setting('" + PROBES + "')::jsonb) LOOP\n"
                + "    BEGIN\n"
                + "      IF p->>'t' IS NOT NULL THEN PERFORM set_config(" + SqlValues.literal(setting)
                + ", p->>'t', false);"
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
                + "      " + report + "\n"
                + "      RAISE EXCEPTION USING ERRCODE = 'XPRBK';\n" // roll the probe back
                + "    EXCEPTION WHEN OTHERS THEN\n"
                + "      IF SQLSTATE <> 'XPRBK' THEN\n"
                + "        r := 'prodlike' || chr(29) || 'err' || chr(29) || i || chr(29) || SQLSTATE"
                + " || chr(29) || SQLERRM;\n"
                + "        " + report + "\n"
                + "      END IF;\n"
                + "    END;\n"
                + "    i := i + 1;\n"
                + "  END LOOP;\n"
                + (stream ? "" : "  PERFORM set_config('" + REPORTS + "', array_to_json(acc)::text, true);\n")
                + "END";
        if (body.contains(TAG)) {
            throw new IllegalStateException("The tenant setting contains " + TAG + "; cannot quote it");
        }
        return "DO " + TAG + body + TAG;
    }

    /**
     * @param json a JSON array of strings as PostgreSQL's {@code array_to_json} writes it
     * @param from where the array starts
     * @return its strings
     */
    static List<String> jsonStrings(String json, int from) {
        List<String> out = new ArrayList<>();
        int at = json.indexOf('"', from);
        int escape = json.indexOf('\\', from); // the next backslash: found once per backslash, not once per string
        while (at >= 0) {
            if (escape >= 0 && escape < at) {
                escape = json.indexOf('\\', at);
            }
            int end = json.indexOf('"', at + 1);
            if (escape < 0 || escape > end) { // the common case: nothing escaped
                out.add(json.substring(at + 1, end));
            } else {
                StringBuilder sb = new StringBuilder();
                int i = at + 1;
                for (char ch = json.charAt(i++); ch != '"'; ch = json.charAt(i++)) {
                    if (ch != '\\') {
                        sb.append(ch);
                        continue;
                    }
                    char e = json.charAt(i++);
                    switch (e) {
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(json, i, i + 4, 16));
                            i += 4;
                        }
                        default -> sb.append(e); // \" \\ \/
                    }
                }
                out.add(sb.toString());
                end = i - 1;
            }
            at = json.indexOf('"', end + 1);
        }
        return out;
    }

    /** Appends {@code s} as a JSON string. */
    private static void json(StringBuilder sb, String s) {
        sb.append('"');
        int plain = 0; // most texts need no escape: appended whole
        while (plain < s.length() && s.charAt(plain) >= 0x20 && s.charAt(plain) != '"' && s.charAt(plain) != '\\') {
            plain++;
        }
        sb.append(s, 0, plain);
        for (int i = plain; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append("\\u00").append(HEX[ch >> 4]).append(HEX[ch & 15]);
            } else {
                sb.append(ch);
            }
        }
        sb.append('"');
    }
}
