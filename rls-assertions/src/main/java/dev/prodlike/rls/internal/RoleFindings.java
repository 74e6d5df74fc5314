package dev.prodlike.rls.internal;

import dev.prodlike.postgres.internal.Sql;
import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** The findings on the app role itself: it bypasses RLS, or a setting default gives every connection a tenant. */
final class RoleFindings {

    private final Catalog cat;
    private final String setting;

    RoleFindings(Catalog cat, String setting) {
        this.cat = cat;
        this.setting = setting;
    }

    List<Cause> find() {
        List<Cause> out = new ArrayList<>();
        role(out);
        settingDefaults(out);
        return out;
    }

    private void role(List<Cause> out) {
        Catalog.Role app = cat.app;
        List<String> why = new ArrayList<>();
        List<String> fix = new ArrayList<>();
        if (app.superuser()) {
            why.add("role " + app.name() + " has SUPERUSER (rolsuper = true)");
            fix.add("ALTER ROLE " + Sql.ident(app.name()) + " NOSUPERUSER;");
        }
        if (app.bypassRls()) {
            why.add("role " + app.name() + " has BYPASSRLS (rolbypassrls = true)");
            fix.add("ALTER ROLE " + Sql.ident(app.name()) + " NOBYPASSRLS;");
        }
        for (String m : app.bypassingMemberships()) {
            String member = m.substring(0, m.indexOf(' '));
            why.add("role " + app.name() + " is a member of " + m + " and can SET ROLE to it");
            fix.add("REVOKE " + Sql.ident(member) + " FROM " + Sql.ident(app.name()) + ";");
        }
        if (!why.isEmpty()) {
            out.add(Cause.of(
                    new Finding(
                            app.name(),
                            LeakClass.ROLE_BYPASSES_RLS,
                            String.join("; ", why) + "; every policy is skipped for it",
                            String.join("\n", fix),
                            List.of()),
                    Cause.ALL_DYNAMIC,
                    Set.of()));
        }
    }

    private void settingDefaults(List<Cause> out) {
        for (Catalog.SettingDefault d : cat.settingDefaults) {
            String scope = d.role().isEmpty()
                    ? "DATABASE " + Sql.ident(d.database())
                    : "ROLE " + Sql.ident(d.role())
                            + (d.database().isEmpty() ? "" : " IN DATABASE " + Sql.ident(d.database()));
            String where = d.role().isEmpty()
                    ? "database " + d.database()
                    : "role " + d.role() + (d.database().isEmpty() ? "" : " in database " + d.database());
            out.add(Cause.of(
                    new Finding(
                            d.role().isEmpty() ? d.database() : d.role(),
                            LeakClass.TENANT_SETTING_DEFAULT,
                            "pg_db_role_setting sets " + d.config() + " for " + where
                                    + ": every new or reset connection acts as that tenant",
                            "ALTER " + scope + " RESET " + setting + ";",
                            List.of()),
                    EnumSet.of(LeakClass.VISIBLE_WITHOUT_TENANT, LeakClass.POOLED_CONNECTION_KEEPS_TENANT),
                    Set.of()));
        }
    }
}
