import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fails when classes of a module depend on each other in a circle (A uses B, B uses A, directly or through others).
 * Reads the compiled classes with jdeps; a nested class counts as its top-level class. Run with the JDK's
 * single-file launcher: {@code java .ci/ImportCircles.java core/target/classes}.
 */
public class ImportCircles {

    public static void main(String[] args) {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String classes : args) {
            StringWriter out = new StringWriter();
            int exit = ToolProvider.findFirst("jdeps").orElseThrow().run(new PrintWriter(out), new PrintWriter(System.err),
                    "-verbose:class", "-filter:none", classes);
            if (exit != 0) {
                throw new IllegalStateException("jdeps failed on " + classes);
            }
            Matcher m = Pattern.compile("^\\s+(dev\\.prodlike\\.\\S+)\\s+->\\s+(dev\\.prodlike\\.\\S+)", Pattern.MULTILINE)
                    .matcher(out.toString());
            while (m.find()) {
                String from = topLevel(m.group(1));
                String to = topLevel(m.group(2));
                if (!from.equals(to)) {
                    uses.computeIfAbsent(from, k -> new TreeSet<>()).add(to);
                }
            }
        }
        List<List<String>> circles = new Tarjan(uses).circles();
        circles.forEach(c -> System.err.println("import circle: " + String.join(" <-> ", c)));
        System.out.println(circles.size() + " import circles among " + uses.size() + " classes in "
                + String.join(", ", args));
        System.exit(circles.isEmpty() ? 0 : 1);
    }

    private static String topLevel(String name) {
        int nested = name.indexOf('$');
        return nested < 0 ? name : name.substring(0, nested);
    }

    /** Strongly connected components of more than one class. */
    private static final class Tarjan {
        private final Map<String, Set<String>> uses;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> circles = new ArrayList<>();

        Tarjan(Map<String, Set<String>> uses) {
            this.uses = uses;
        }

        List<List<String>> circles() {
            for (String v : uses.keySet()) {
                if (!index.containsKey(v)) {
                    visit(v);
                }
            }
            return circles;
        }

        private void visit(String v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.push(v);
            onStack.add(v);
            for (String w : uses.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                List<String> component = new ArrayList<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    component.add(w);
                } while (!w.equals(v));
                if (component.size() > 1) {
                    component.sort(null);
                    circles.add(component);
                }
            }
        }
    }
}
