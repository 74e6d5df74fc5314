package db.linkage;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * A Java migration that fails with an {@link Error}, not an exception, as one whose library is missing at run time
 * does (or a Flyway that does not link with prodlike): a failure Flyway does not wrap.
 */
public class V1__Needs_a_library_missing_at_run_time extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws Exception {
        try (var s = context.getConnection().createStatement()) {
            s.execute("CREATE TABLE half_made (id int)");
        }
        throw new NoClassDefFoundError("com/example/billing/TaxTables");
    }
}
