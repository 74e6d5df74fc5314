package dev.prodlike.rls.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads the system catalogs into a {@link Catalog}: the queries' parameters, and each result set into its records. */
final class CatalogLoader {

    private final Catalog cat;

    private CatalogLoader(Catalog cat) {
        this.cat = cat;
    }

    /**
     * Reads the catalogs in one round trip: every query goes to the server at once and their results are read in
     * order (the app role's oid comes from a CTE in each, not from an earlier query's result).
     *
     * @param dynamic whether the probes will run: then the functions to probe and the sequences to restore are read too
     */
    static Catalog load(Connection c, String appRole, String column, String setting, Set<String> only, boolean dynamic)
            throws SQLException {
        List<String> sql = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        sql.add(CatalogQueries.ROLE);
        params.add(appRole);
        sql.add(CatalogQueries.ROLES);
        sql.add(CatalogQueries.TABLES);
        params.addAll(List.of(appRole, column));
        sql.add(CatalogQueries.POLICIES);
        params.addAll(List.of(appRole, column));
        sql.add(CatalogQueries.TENANT_FUNCTIONS);
        params.add(setting);
        sql.add(CatalogQueries.VIEWS);
        params.addAll(List.of(appRole, column, column));
        sql.add(CatalogQueries.FUNCTIONS);
        params.addAll(List.of(appRole, dynamic, dynamic));
        sql.add(CatalogQueries.SETTING_DEFAULTS);
        params.addAll(List.of(appRole, setting));
        if (dynamic) {
            sql.add(CatalogQueries.TABLE_FUNCTIONS);
            params.addAll(List.of(appRole, column, column));
            sql.add(CatalogQueries.SEQUENCES);
            sql.add(CatalogQueries.POLICY_READS);
            params.addAll(List.of(appRole, column));
        }
        try (PreparedStatement ps = c.prepareStatement(String.join(";\n", sql))) {
            for (int i = 0; i < params.size(); i++) {
                if (params.get(i) instanceof Boolean b) {
                    ps.setBoolean(i + 1, b);
                } else {
                    ps.setString(i + 1, (String) params.get(i));
                }
            }
            ps.execute();
            CatalogLoader loader;
            try (ResultSet rs = ps.getResultSet()) {
                if (!rs.next()) {
                    throw new IllegalStateException("The app role '" + appRole + "' does not exist in this cluster");
                }
                loader = new CatalogLoader(new Catalog(
                        c,
                        new Catalog.Role(
                                rs.getLong(1), appRole, rs.getBoolean(2), rs.getBoolean(3), strings(rs.getArray(4))),
                        column,
                        rs.getInt(5),
                        rs.getBoolean(6)));
            }
            loader.readRoles(next(ps));
            loader.readTables(next(ps), only);
            loader.readPolicies(next(ps));
            loader.readTenantFunctions(next(ps));
            loader.readViews(next(ps));
            loader.readFunctions(next(ps));
            loader.readSettingDefaults(next(ps));
            if (dynamic) {
                loader.readTableFunctions(next(ps));
                loader.readSequences(next(ps));
                loader.readPolicyInputs(next(ps));
            }
            return loader.cat;
        }
    }

    /** @return the next statement's result set, closed by the caller */
    private static ResultSet next(PreparedStatement ps) throws SQLException {
        if (!ps.getMoreResults()) {
            throw new IllegalStateException("a catalog query returned no result");
        }
        return ps.getResultSet();
    }

    private void readRoles(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                cat.roles.put(
                        rs.getLong(1),
                        new Catalog.Role(
                                rs.getLong(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4), List.of()));
            }
        }
    }

    private void readTables(ResultSet rs, Set<String> only) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String schema = rs.getString(2);
                String name = rs.getString(3);
                String qualified = rs.getString(20);
                if (!only.isEmpty()
                        && !only.contains(qualified)
                        && !only.contains(name)
                        && !only.contains(schema + "." + name)) {
                    continue;
                }
                List<Catalog.Column> cols = new ArrayList<>();
                for (String s : strings(rs.getArray(19))) {
                    int bar = s.indexOf('|');
                    cols.add(new Catalog.Column(s.substring(0, bar), s.substring(bar + 1)));
                }
                Catalog.Table t = new Catalog.Table(
                        rs.getLong(1),
                        schema,
                        name,
                        qualified,
                        rs.getString(4).charAt(0),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getLong(7),
                        rs.getString(8),
                        rs.getBoolean(9),
                        rs.getBoolean(10),
                        rs.getBoolean(11),
                        rs.getBoolean(12),
                        rs.getBoolean(13),
                        rs.getBoolean(14),
                        rs.getString(15),
                        rs.getBoolean(16),
                        strings(rs.getArray(17)),
                        rs.getBoolean(18),
                        cols);
                cat.tables.put(t.oid(), t);
            }
        }
    }

    private void readPolicies(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                if (cat.tables.containsKey(rs.getLong(1))) {
                    cat.policies.add(new Catalog.Policy(
                            rs.getLong(1),
                            rs.getString(2),
                            Command.of(rs.getString(3).charAt(0)),
                            rs.getBoolean(4),
                            rs.getBoolean(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8)));
                }
            }
        }
    }

    private void readTenantFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                cat.tenantFunctions.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
    }

    private void readViews(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                int updatable = rs.getInt(13);
                int triggers = rs.getInt(14);
                String rules = rs.getString(15);
                Set<Command> ownerWrites = EnumSet.noneOf(Command.class);
                if (rules.contains("3") || ((updatable & 8) != 0 && (triggers & 4) == 0)) {
                    ownerWrites.add(Command.INSERT);
                }
                if (rules.contains("2") || ((updatable & 4) != 0 && (triggers & 16) == 0)) {
                    ownerWrites.add(Command.UPDATE);
                }
                if (rules.contains("4") || ((updatable & 16) != 0 && (triggers & 8) == 0)) {
                    ownerWrites.add(Command.DELETE);
                }
                List<Catalog.Column> cols = new ArrayList<>();
                for (String x : strings(rs.getArray(18))) {
                    int bar = x.indexOf('|');
                    cols.add(new Catalog.Column(x.substring(0, bar), x.substring(bar + 1)));
                }
                cat.views.add(new Catalog.View(
                        rs.getLong(1),
                        rs.getString(19),
                        rs.getString(4).charAt(0),
                        rs.getLong(5),
                        rs.getString(6),
                        rs.getBoolean(7),
                        rs.getBoolean(8),
                        rs.getBoolean(9),
                        rs.getBoolean(10),
                        rs.getBoolean(11),
                        longs(rs.getArray(12)),
                        ownerWrites,
                        longs(rs.getArray(16)),
                        rs.getString(17),
                        cols));
            }
        }
    }

    private void readTableFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String q = rs.getString(6);
                cat.tableFunctions.add(new Catalog.TableFunction(
                        rs.getLong(1), q, q + "(" + rs.getString(4) + ")", rs.getInt(5) == 1));
            }
        }
    }

    private void readFunctions(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                String q = rs.getString(12);
                cat.functions.add(new Catalog.Function(
                        rs.getLong(1),
                        q,
                        q + "(" + rs.getString(4) + ")",
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getLong(7),
                        rs.getString(8),
                        rs.getBoolean(9),
                        rs.getString(10),
                        longs(rs.getArray(11)),
                        rs.getBoolean(13),
                        rs.getInt(14)));
            }
        }
    }

    private void readSettingDefaults(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                cat.settingDefaults.add(new Catalog.SettingDefault(rs.getString(1), rs.getString(2), rs.getString(3)));
            }
        }
    }

    private void readPolicyInputs(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                if (!cat.tables.containsKey(rs.getLong(1))) {
                    continue;
                }
                List<Catalog.HelperColumn> cols = new ArrayList<>();
                for (String s : strings(rs.getArray(8))) {
                    String[] f = s.split("\\|", 3);
                    cols.add(new Catalog.HelperColumn(f[0], f[1], Boolean.parseBoolean(f[2])));
                }
                cat.policyInputs.add(new Catalog.PolicyInput(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getString(4),
                        rs.getBoolean(5),
                        rs.getBoolean(6),
                        rs.getBoolean(7),
                        cols));
            }
        }
    }

    private void readSequences(ResultSet rs) throws SQLException {
        try (rs) {
            while (rs.next()) {
                cat.sequences.add(new Catalog.Sequence(rs.getString(1), rs.getString(2)));
            }
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static List<Long> longs(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(((Number) o).longValue());
        }
        return out;
    }
}
