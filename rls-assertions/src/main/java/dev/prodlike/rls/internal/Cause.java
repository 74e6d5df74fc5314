package dev.prodlike.rls.internal;

import dev.prodlike.rls.Finding;
import dev.prodlike.rls.LeakClass;
import java.util.EnumSet;
import java.util.Set;

/**
 * A static finding and the dynamic evidence it explains: probes of these classes on these relations (any relation
 * when empty) are its consequences, not causes of their own.
 */
record Cause(Finding finding, Set<LeakClass> explains, Set<String> relations) {

    /** Every dynamic class. */
    static final Set<LeakClass> ALL_DYNAMIC = EnumSet.of(
            LeakClass.CROSS_TENANT_READ,
            LeakClass.CROSS_TENANT_UPDATE,
            LeakClass.CROSS_TENANT_DELETE,
            LeakClass.CROSS_TENANT_INSERT,
            LeakClass.TENANT_REASSIGNMENT,
            LeakClass.SHARED_ROW_WRITE,
            LeakClass.VISIBLE_WITHOUT_TENANT,
            LeakClass.POOLED_CONNECTION_KEEPS_TENANT,
            LeakClass.CROSS_TENANT_INFLUENCE);

    /** @return a cause with an EnumSet of its own ({@code EnumSet.copyOf} rejects an empty {@code Set.of()}) */
    static Cause of(Finding finding, Set<LeakClass> explains, Set<String> relations) {
        return new Cause(
                finding, explains.isEmpty() ? EnumSet.noneOf(LeakClass.class) : EnumSet.copyOf(explains), relations);
    }

    boolean explains(Observed o) {
        return explains.contains(o.leak()) && (relations.isEmpty() || relations.contains(o.relation()));
    }
}
