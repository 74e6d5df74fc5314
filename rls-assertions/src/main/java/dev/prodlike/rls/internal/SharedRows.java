package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a tenant table marks the rows every tenant reads: a NULL tenant (a nullable column), and the constants its
 * read policies compare the tenant column with ({@code tenant_id = '*'}, a well-known UUID). Such rows belong to no
 * tenant: reading them is no leak, writing them is.
 *
 * @param nulls  whether rows with a NULL tenant can exist (the column is nullable)
 * @param values the constants, as text, that read policies admit beside the tenant's own rows
 */
record SharedRows(boolean nulls, List<String> values) {

    /** @return whether shared rows can exist at all */
    boolean any() {
        return nulls || !values.isEmpty();
    }

    /** @param tenant a tenant column value as text (null: NULL) @return whether it marks a shared row */
    boolean isShared(String tenant) {
        return tenant == null ? nulls : values.contains(tenant);
    }

    /** @return an SQL condition true for the shared rows, e.g. {@code ("tenant_id" IS NULL OR "tenant_id"::text IN ('*'))} */
    String predicate(String column) {
        String col = Sql.ident(column);
        List<String> parts = new ArrayList<>();
        if (nulls) {
            parts.add(col + " IS NULL");
        }
        if (!values.isEmpty()) {
            parts.add(col + "::text IN ("
                    + String.join(", ", values.stream().map(SqlValues::literal).toList()) + ")");
        }
        return parts.size() == 1 ? parts.get(0) : "(" + String.join(" OR ", parts) + ")";
    }

    /** @return an SQL condition true for rows of some tenant: not shared, not NULL */
    String tenantRows(String column) {
        String col = Sql.ident(column);
        return col + " IS NOT NULL"
                + (values.isEmpty()
                        ? ""
                        : " AND " + col + "::text NOT IN ("
                                + String.join(
                                        ", ",
                                        values.stream().map(SqlValues::literal).toList()) + ")");
    }

    /** @return the value a new shared row gets: NULL where the column allows it, else the first constant */
    String newRowValue() {
        return nulls ? null : values.get(0);
    }

    /** @return how the evidence names the shared rows */
    String describe(String column) {
        List<String> parts = new ArrayList<>();
        if (nulls) {
            parts.add(column + " IS NULL");
        }
        values.forEach(v -> parts.add(column + " = " + SqlValues.literal(v)));
        return String.join(" or ", parts);
    }

    /**
     * Per tenant table, how it marks the rows every tenant reads, once the policies are analysed.
     *
     * @param byTable by table oid
     */
    record Index(Map<Long, SharedRows> byTable) {

        /** @return how the table marks shared rows (by default: NULL, where the column is nullable) */
        SharedRows of(Catalog.Table t) {
            SharedRows s = byTable.get(t.oid());
            return s != null ? s : new SharedRows(t.mayShare(), List.of());
        }
    }

    /** @return per tenant table, its shared rows: NULL where nullable, and the constants its read policies admit */
    static Index of(Catalog cat, PolicyExpression expressions) {
        Map<Long, List<String>> values = new HashMap<>();
        for (Catalog.Policy p : cat.policies) {
            if (!p.applies() || !p.permissive() || !p.covers(Command.SELECT) || p.using() == null) {
                continue;
            }
            for (String branch : PolicyExpression.split(PolicyExpression.stripParens(p.using()), "OR")) {
                PolicyExpression.Result r = expressions.analyze(branch);
                if (r.verdict() == PolicyExpression.Verdict.SHARED && r.shared() != null) {
                    List<String> v = values.computeIfAbsent(p.table(), k -> new ArrayList<>());
                    if (!v.contains(r.shared())) {
                        v.add(r.shared());
                    }
                }
            }
        }
        Map<Long, SharedRows> out = new HashMap<>();
        for (Catalog.Table t : cat.tables.values()) {
            out.put(t.oid(), new SharedRows(!t.tenantNotNull(), List.copyOf(values.getOrDefault(t.oid(), List.of()))));
        }
        return new Index(Map.copyOf(out));
    }
}
