package dev.prodlike.rls.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides from a policy expression's text ({@code pg_get_expr}) whether it confines rows to the current tenant.
 *
 * <p>An expression confines the tenant when it compares the tenant column with the tenant setting (read directly
 * with {@code current_setting} or through a user function whose body reads it). Top-level {@code OR} branches must
 * each confine it; among {@code AND} terms one suffices. A branch that reads the setting without the column (such as
 * {@code current_setting('app.current_tenant', true) IS NULL}) fails open; a branch that reads neither ignores the
 * tenant.
 */
final class PolicyExpression {

    /** The verdict on one expression. */
    enum Verdict { CONFINES, FAILS_OPEN, IGNORES }

    /** A verdict and the branch that decided it. */
    record Result(Verdict verdict, String branch) {
    }

    private final String column;
    private final String setting;
    private final Set<String> tenantFunctions;
    private final Pattern columnPattern;

    PolicyExpression(String column, String setting, Set<String> tenantFunctions) {
        this.column = column;
        this.setting = setting.toLowerCase(Locale.ROOT);
        this.tenantFunctions = tenantFunctions;
        this.columnPattern = Pattern.compile("(?<![\\w$.])(\"?)" + Pattern.quote(column.toLowerCase(Locale.ROOT))
                + "\\1(?![\\w$])");
    }

    Result analyze(String expression) {
        String e = stripParens(expression.trim());
        List<String> disjuncts = split(e, "OR");
        if (disjuncts.size() > 1) {
            Result worst = new Result(Verdict.CONFINES, e);
            for (String d : disjuncts) {
                Result r = analyze(d);
                if (r.verdict() == Verdict.IGNORES) {
                    return r;
                }
                if (r.verdict() == Verdict.FAILS_OPEN) {
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
                if (r.verdict() == Verdict.CONFINES) {
                    return r;
                }
                if (best == null || r.verdict() == Verdict.FAILS_OPEN) {
                    best = r;
                }
            }
            return new Result(best.verdict(), e);
        }
        boolean readsSetting = readsSetting(e);
        boolean readsColumn = columnPattern.matcher(withoutLiterals(e).toLowerCase(Locale.ROOT)).find();
        if (readsSetting && readsColumn) {
            return new Result(Verdict.CONFINES, e);
        }
        return new Result(readsSetting ? Verdict.FAILS_OPEN : Verdict.IGNORES, e);
    }

    private boolean readsSetting(String e) {
        String lower = e.toLowerCase(Locale.ROOT);
        if (lower.contains("'" + setting + "'")) {
            return true;
        }
        String code = withoutLiterals(lower);
        for (String fn : tenantFunctions) {
            Matcher m = Pattern.compile("(?<![\\w$])" + Pattern.quote(fn) + "\\s*\\(").matcher(code);
            if (m.find()) {
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
        while (s.startsWith("(") && closingOf(s, 0) == s.length() - 1) {
            s = s.substring(1, s.length() - 1).trim();
        }
        return s;
    }

    private static int closingOf(String s, int open) {
        int depth = 0;
        boolean quote = false;
        boolean dquote = false;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' && !dquote) {
                quote = !quote;
            } else if (c == '"' && !quote) {
                dquote = !dquote;
            } else if (!quote && !dquote) {
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                    if (depth == 0) {
                        return i;
                    }
                }
            }
        }
        return -1;
    }

    /** Splits on a keyword at parenthesis depth 0, outside literals. */
    static List<String> split(String s, String keyword) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        boolean quote = false;
        boolean dquote = false;
        int start = 0;
        String upper = s.toUpperCase(Locale.ROOT);
        String token = " " + keyword + " ";
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' && !dquote) {
                quote = !quote;
            } else if (c == '"' && !quote) {
                dquote = !dquote;
            } else if (!quote && !dquote) {
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                } else if (depth == 0 && upper.startsWith(token, i)) {
                    parts.add(s.substring(start, i).trim());
                    start = i + token.length();
                    i = start - 1;
                }
            }
        }
        parts.add(s.substring(start).trim());
        return parts;
    }

    private static String withoutLiterals(String s) {
        return s.replaceAll("'(?:[^']|'')*'", "''");
    }
}
