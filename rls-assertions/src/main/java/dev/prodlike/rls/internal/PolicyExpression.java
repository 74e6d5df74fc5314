package dev.prodlike.rls.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides from a policy expression's text ({@code pg_get_expr}) whether it confines rows to the current tenant.
 *
 * <p>An expression confines the tenant when it compares the tenant column with the tenant setting (read directly
 * with {@code current_setting} or through a user function whose body reads it). Top-level {@code OR} branches must
 * each confine it; among {@code AND} terms one suffices. A branch that is exactly {@code <column> IS NULL} admits
 * only shared rows (rows of no tenant); so does one that compares the column with a constant ({@code tenant_id =
 * '*'}, a well-known UUID): rows marked by that value are shared by design. A branch that reads the setting without the column (such as
 * {@code current_setting('app.current_tenant', true) IS NULL}) fails open; a branch that reads neither ignores the
 * tenant.
 */
final class PolicyExpression {

    /** The verdict on one expression, from worst to best. */
    enum Verdict {
        IGNORES,
        FAILS_OPEN,
        SHARED,
        CONFINES
    }

    /**
     * A verdict and the branch that decided it.
     *
     * @param shared for {@link Verdict#SHARED}, the constant that marks shared rows, as text; null for
     *               {@code IS NULL}
     */
    record Result(Verdict verdict, String branch, String shared) {

        Result(Verdict verdict, String branch) {
            this(verdict, branch, null);
        }
    }

    private static final Pattern LITERAL = Pattern.compile("'(?:[^']|'')*'");

    private final String column;
    private final String setting;
    private final List<Pattern> tenantFunctionCalls = new ArrayList<>();
    private final Pattern columnPattern;
    private final Pattern sharedPattern;
    /** {@code <column> = '<constant>'[::type]}, either way round: shared rows marked by a value. */
    private final Pattern sentinelPattern;

    private final Pattern sentinelFirstPattern;
    /**
     * Verdicts by expression text: the policies of many tables share a text (an audit analyses each a few times),
     * and the analysis is a function of the text alone.
     */
    private final Map<String, Result> analysed = new HashMap<>();

    PolicyExpression(String column, String setting, Set<String> tenantFunctions) {
        this.column = column;
        this.setting = setting.toLowerCase(Locale.ROOT);
        for (String fn : tenantFunctions) {
            tenantFunctionCalls.add(Pattern.compile("(?<![\\w$])" + Pattern.quote(fn) + "\\s*\\("));
        }
        String col = Pattern.quote(column.toLowerCase(Locale.ROOT));
        this.columnPattern = Pattern.compile("(?<![\\w$.])(\"?)" + col + "\\1(?![\\w$])");
        this.sharedPattern = Pattern.compile("(\"?)" + col + "\\1\\s+is\\s+null");
        String constant = "'((?:[^']|'')*)'(?:::[a-z][\\w .\"]*)?";
        this.sentinelPattern = Pattern.compile(columnOperand(col, 1) + "\\s*=\\s*" + constant);
        this.sentinelFirstPattern = Pattern.compile(constant + "\\s*=\\s*" + columnOperand(col, 2));
    }

    Result analyze(String expression) {
        Result r = analysed.get(expression);
        if (r == null) {
            r = analyzeText(expression);
            analysed.put(expression, r);
        }
        return r;
    }

    private Result analyzeText(String expression) {
        String e = stripParens(expression.trim());
        List<String> disjuncts = split(e, "OR");
        if (disjuncts.size() > 1) {
            Result worst = new Result(Verdict.CONFINES, e);
            for (String d : disjuncts) {
                Result r = analyze(d);
                if (r.verdict().compareTo(worst.verdict()) < 0) {
                    worst = r;
                }
            }
            return worst;
        }
        List<String> conjuncts = split(e, "AND");
        if (conjuncts.size() > 1) {
            Result best = null;
            for (String c : conjuncts) {
                Result r = analyze(c);
                if (best == null || r.verdict().compareTo(best.verdict()) > 0) {
                    best = r;
                }
            }
            return best.verdict() == Verdict.CONFINES ? best : new Result(best.verdict(), e);
        }
        String lower = e.toLowerCase(Locale.ROOT);
        if (sharedPattern.matcher(lower).matches()) {
            return new Result(Verdict.SHARED, e);
        }
        Matcher m = sentinelPattern.matcher(lower);
        if (m.matches()) {
            return new Result(Verdict.SHARED, e, constant(e, m.start(2), m.end(2)));
        }
        m = sentinelFirstPattern.matcher(lower);
        if (m.matches()) {
            return new Result(Verdict.SHARED, e, constant(e, m.start(1), m.end(1)));
        }
        boolean readsSetting = readsSetting(e);
        boolean readsColumn = columnPattern
                .matcher(withoutLiterals(e).toLowerCase(Locale.ROOT))
                .find();
        if (readsSetting && readsColumn) {
            return new Result(Verdict.CONFINES, e);
        }
        return new Result(readsSetting ? Verdict.FAILS_OPEN : Verdict.IGNORES, e);
    }

    /** @return a pattern of the column as an operand, {@code (tenant_id)::text} too; {@code group}: its quote's group */
    private static String columnOperand(String quotedColumn, int group) {
        return "\\(?(\"?)" + quotedColumn + "\\" + group + "\\)?(?:::[a-z][\\w .\"]*)?";
    }

    /** @return the constant's text as written (its case kept), quotes undoubled */
    private static String constant(String e, int from, int to) {
        return e.substring(from, to).replace("''", "'");
    }

    private boolean readsSetting(String e) {
        String lower = e.toLowerCase(Locale.ROOT);
        if (lower.contains("'" + setting + "'")) {
            return true;
        }
        String code = withoutLiterals(lower);
        for (Pattern call : tenantFunctionCalls) {
            if (call.matcher(code).find()) {
                return true;
            }
        }
        return false;
    }

    String column() {
        return column;
    }

    /** Removes parentheses that enclose the whole expression. */
    static String stripParens(String e) {
        String s = e.trim();
        while (s.startsWith("(")
                && s.endsWith(")")
                && topLevel(s).get(s.length() - 1) == 0
                && firstClose(s) == s.length() - 1) {
            s = s.substring(1, s.length() - 1).trim();
        }
        return s;
    }

    private static int firstClose(String s) {
        List<Integer> depth = topLevel(s);
        for (int i = 0; i < s.length(); i++) {
            if (depth.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }

    /** Splits on a keyword at parenthesis depth 0, outside literals. */
    static List<String> split(String s, String keyword) {
        List<Integer> depth = topLevel(s);
        List<String> parts = new ArrayList<>();
        String upper = s.toUpperCase(Locale.ROOT);
        String token = " " + keyword + " ";
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (depth.get(i) == 0 && s.charAt(i) == ' ' && upper.startsWith(token, i)) {
                parts.add(s.substring(start, i).trim());
                start = i + token.length();
                i = start - 1;
            }
        }
        parts.add(s.substring(start).trim());
        return parts;
    }

    /**
     * The one scanner of policy text: for each character, the parenthesis depth after it, or -1 inside a string
     * literal or a quoted identifier (where parentheses and keywords do not count).
     */
    private static List<Integer> topLevel(String s) {
        List<Integer> out = new ArrayList<>(s.length());
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
                out.add(-1);
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                out.add(-1);
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            out.add(depth);
        }
        return out;
    }

    private static String withoutLiterals(String s) {
        return LITERAL.matcher(s).replaceAll("''");
    }
}
