package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.internal.ProbeBatch.Probe;
import dev.prodlike.rls.internal.ProbeBatch.Step;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every probe planner and judge shares: the catalogs, the owner's view of the data, the tenants, and the SQL
 * text of the probes (one place, so that the statement run and the statement printed as evidence are the same).
 */
record ProbeContext(
        Catalog cat,
        SharedRows.Index sharedRows,
        String column,
        String setting,
        OwnerData owner,
        List<String> tenants) {

    /** The owner's view of the data: rows per tenant and shared rows per relation, insert templates. */
    record OwnerData(
            Map<Long, Map<String, Long>> counts,
            Map<Long, Long> shared,
            Map<Long, List<String>> templates,
            Map<Long, List<String>> viewTemplates,
            Map<Long, List<String>> helperTemplates) {

        Map<String, Long> counts(long oid) {
            return counts.getOrDefault(oid, Map.of());
        }

        long shared(long oid) {
            return shared.getOrDefault(oid, 0L);
        }
    }

    SharedRows shared(Catalog.Table t) {
        return sharedRows.of(t);
    }

    String col() {
        return Sql.ident(column);
    }

    static int add(List<Probe> batch, String tenant, Step... steps) {
        batch.add(new Probe(tenant, steps));
        return batch.size() - 1;
    }

    /** @return a count of the rows of some tenant (not shared) visible in the relation */
    String countTenantRows(Catalog.Table t) {
        return "SELECT count(*) FROM " + t.qualified() + " WHERE " + shared(t).tenantRows(column);
    }

    String ownCount(String relation, String actor) {
        return "SELECT count(*) FROM " + relation + " WHERE " + col() + "::text = " + SqlValues.literal(actor);
    }

    /** @return a query returning rows per tenant as one text: {@code v<tenant>US<count>} or {@code n US<count>}, RS-separated */
    String groupByTenant(String from) {
        return "SELECT string_agg(coalesce('v' || k, 'n') || chr(31) || n, chr(30)) FROM (SELECT " + col()
                + "::text AS k, count(*) AS n FROM " + from + " x GROUP BY 1) y";
    }

    static Map<String, Long> decode(String encoded) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String entry : encoded.split("\u001e")) {
            int us = entry.indexOf('\u001f');
            String key = entry.charAt(0) == 'n' ? null : entry.substring(1, us);
            out.put(key, Long.parseLong(entry.substring(us + 1)));
        }
        return out;
    }

    static String show(Map<String, Long> seen) {
        Map<String, Long> named = new TreeMap<>();
        seen.forEach((k, v) -> named.put(k == null ? "(shared, NULL)" : k, v));
        return named.toString();
    }

    /** @return the rows per tenant that belong to another tenant than {@code actor} (shared rows are no tenant's) */
    static Map<String, Long> foreign(Map<String, Long> seen, String actor, SharedRows shared) {
        Map<String, Long> out = new LinkedHashMap<>(seen);
        out.remove(actor);
        out.keySet().removeIf(k -> k == null || shared.isShared(k));
        return out;
    }

    /** @return an INSERT of the row {@code template} into the relation, with the tenant column set to {@code tenant} */
    String insert(
            String relation, List<Catalog.Column> columns, List<String> template, String tenant, String tenantType) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            names.add(Sql.ident(columns.get(i).name()));
            values.add(SqlValues.typed(template.get(i), columns.get(i).type()));
        }
        names.add(col());
        values.add(SqlValues.typed(tenant, tenantType));
        return "INSERT INTO " + relation + " (" + String.join(", ", names) + ") VALUES (" + String.join(", ", values)
                + ")";
    }

    /** @return an INSERT of the owner's template row of the table for {@code tenant}, or null without a template */
    String insert(Catalog.Table t, String tenant) {
        List<String> template = owner.templates().get(t.oid());
        return template == null ? null : insert(t.qualified(), t.insertColumns(), template, tenant, t.tenantType());
    }
}
