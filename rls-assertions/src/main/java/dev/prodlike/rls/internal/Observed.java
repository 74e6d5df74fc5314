package dev.prodlike.rls.internal;

import dev.prodlike.rls.LeakClass;
import java.util.List;

/**
 * Dynamic evidence: what a probe as the app role showed on a relation (table, view or function).
 *
 * @param relation the table, view or function probed, schema-qualified
 * @param leak     the dynamic leak class
 * @param line     what was run and what it returned
 * @param tables   the tenant tables whose rows were reached
 * @param fix      the fix when the probe knows it better than the relation's policies do; null otherwise
 */
record Observed(String relation, LeakClass leak, String line, List<String> tables, String fix) {

    Observed(String relation, LeakClass leak, String line, List<String> tables) {
        this(relation, leak, line, tables, null);
    }
}
