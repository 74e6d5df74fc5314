package dev.prodlike.rls.internal;

import dev.prodlike.rls.LeakClass;
import java.util.ArrayList;
import java.util.List;

/** The dynamic evidence of an audit in the order it was judged, each line once. */
final class Evidence {

    private final List<Observed> observed = new ArrayList<>();

    void add(Observed o) {
        if (!observed.contains(o)) {
            observed.add(o);
        }
    }

    void table(Catalog.Table t, LeakClass leak, String line) {
        add(new Observed(t.qualified(), leak, line, List.of(t.qualified())));
    }

    void addAll(List<Observed> os) {
        os.forEach(this::add);
    }

    List<Observed> list() {
        return observed;
    }
}
