package dev.prodlike.internal;

import dev.prodlike.ProductionProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The environment report of one test JVM: {@code target/prodlike/environment.json} and {@code environment.md}, with
 * one entry per server (provider, production vs test versions and settings, deliberate differences, timings, drift).
 * Rewritten whenever an entry changes, so a killed run still leaves what it knew; held in the launcher-session Store
 * and written a last time when the Store closes it.
 */
@SuppressWarnings("deprecation") // Store.CloseableResource: JUnit 5 before 5.13 closes only these
public final class EnvironmentReport implements AutoCloseable, ExtensionContext.Store.CloseableResource {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create("dev.prodlike", "environment-report");

    private final Path dir;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private static final AtomicInteger PARTS = new AtomicInteger();
    private final String started = Instant.now().toString();
    private final String partId = ProcessHandle.current().pid() + "-" + PARTS.incrementAndGet();
    private boolean closed;

    EnvironmentReport(Path dir) {
        this.dir = dir;
    }

    /**
     * @param context any extension context; the report lives in the launcher-session Store
     * @param profile the profile (for {@code report-dir})
     * @return the JVM's report
     */
    public static EnvironmentReport of(ExtensionContext context, ProductionProfile profile) {
        return SessionStore.of(context, NAMESPACE)
                .getOrComputeIfAbsent(
                        EnvironmentReport.class,
                        k -> new EnvironmentReport(profile.get(ProductionProfile.REPORT_DIR)
                                .map(Paths::get)
                                .orElse(Paths.get("target", "prodlike"))),
                        EnvironmentReport.class);
    }

    /** @return the directory the report is written to */
    public Path directory() {
        return dir;
    }

    /**
     * Adds or replaces the entry for a server and rewrites the files.
     *
     * @param entry the entry
     */
    public synchronized void put(Entry entry) {
        entries.put(entry.id, entry);
        write();
    }

    /**
     * Updates a field of an existing entry and rewrites the files.
     *
     * @param id    entry id
     * @param key   field
     * @param value value
     */
    public synchronized void update(String id, String key, Object value) {
        Entry e = entries.get(id);
        if (e != null) {
            e.timings.put(key, value);
            write();
        }
    }

    /**
     * Updates several fields of an existing entry and rewrites the files once.
     *
     * @param id     entry id
     * @param fields field names and values, in the order to report them
     */
    public synchronized void update(String id, Map<String, ?> fields) {
        Entry e = entries.get(id);
        if (e != null) {
            e.timings.putAll(fields);
            write();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            write();
        }
    }

    private void write() {
        if (entries.isEmpty()) {
            return;
        }
        List<Object> servers = new ArrayList<>();
        for (Entry e : entries.values()) {
            Map<String, Object> m = e.toMap();
            m.put("jvm", ProcessHandle.current().pid());
            m.put("runStarted", started);
            m.put("runFinished", closed);
            servers.add(m);
        }
        try {
            // Several JVMs (Surefire forks) and several engine runs in one JVM write to the same directory: each
            // writes its own part, and environment.json/.md are merged from the parts of this build (same parent).
            Path parts = dir.resolve(".parts");
            Files.createDirectories(parts);
            String build = String.valueOf(buildProcess());
            String json = Json.write(servers);
            String md = markdown();
            Cache.withLock(parts.resolve("lock"), () -> {
                atomicWrite(parts.resolve(build + "-" + partId + ".json"), json);
                atomicWrite(parts.resolve(build + "-" + partId + ".md"), md);
                merge(parts, build);
                return null;
            });
        } catch (Exception e) {
            Console.warning("could not write the environment report to " + dir + ": " + e);
        }
    }

    /**
     * The build this JVM belongs to: its parent, skipping shells. Surefire starts each fork through {@code sh -c},
     * so the forks of one build have different parents but one Maven process above them.
     */
    static long buildProcess() {
        ProcessHandle p = ProcessHandle.current().parent().orElse(null);
        while (p != null) {
            String command = p.info().command().orElse("");
            String name = command.substring(command.lastIndexOf('/') + 1);
            if (!name.matches("(ba|da|z|k|c|tc)?sh")) {
                return p.pid();
            }
            p = p.parent().orElse(null);
        }
        return 0L;
    }

    private void merge(Path parts, String build) throws IOException {
        List<Path> mine = new ArrayList<>();
        try (var list = Files.list(parts)) {
            for (Path p : (Iterable<Path>) list.sorted()::iterator) {
                String name = p.getFileName().toString();
                if (name.equals("lock")) {
                    continue;
                }
                if (!name.startsWith(build + "-")) {
                    // an earlier build's; a build still running (a JVM that a test started, whose parent is the
                    // test JVM, not Maven) keeps its parts
                    if (!running(name.substring(0, Math.max(0, name.indexOf('-'))))) {
                        Files.deleteIfExists(p);
                    }
                } else if (name.endsWith(".json")) {
                    mine.add(p);
                }
            }
        }
        StringBuilder json = new StringBuilder("{\n  \"updated\": \"")
                .append(Instant.now())
                .append("\",\n")
                .append("  \"servers\": [\n");
        StringBuilder md = new StringBuilder("# prodlike test environment\n");
        boolean first = true;
        for (Path p : mine) {
            String array = Files.readString(p, StandardCharsets.UTF_8).trim();
            String inner =
                    array.length() >= 2 ? array.substring(1, array.length() - 1).trim() : "";
            if (!inner.isEmpty()) {
                json.append(first ? "" : ",\n").append("    ").append(inner.replace("\n", "\n  "));
                first = false;
            }
            Path mdPart = p.resolveSibling(p.getFileName().toString().replace(".json", ".md"));
            if (Files.exists(mdPart)) {
                md.append(Files.readString(mdPart, StandardCharsets.UTF_8));
            }
        }
        json.append("\n  ]\n}\n");
        atomicWrite(dir.resolve("environment.json"), json.toString());
        atomicWrite(dir.resolve("environment.md"), md.toString());
    }

    private static boolean running(String pid) {
        try {
            return ProcessHandle.of(Long.parseLong(pid))
                    .map(ProcessHandle::isAlive)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void atomicWrite(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }

    private String markdown() {
        StringBuilder sb = new StringBuilder("\nTest JVM ")
                .append(ProcessHandle.current().pid())
                .append(", run started ")
                .append(started)
                .append(closed ? ", finished." : ", in progress.")
                .append("\n");
        for (Entry e : entries.values()) {
            sb.append("\n## ").append(e.server).append(" (").append(e.id).append(")\n\n");
            sb.append("- provider: ").append(e.provider).append("\n");
            sb.append("- drift: ")
                    .append(e.drift.isEmpty() ? "none" : String.join("; ", e.drift))
                    .append("\n\n");
            sb.append("| item | production | test |\n| --- | --- | --- |\n");
            for (Map.Entry<String, String[]> c : e.compared.entrySet()) {
                sb.append("| ")
                        .append(c.getKey())
                        .append(" | ")
                        .append(c.getValue()[0])
                        .append(" | ")
                        .append(c.getValue()[1])
                        .append(" |\n");
            }
            if (!e.deliberate.isEmpty()) {
                sb.append("\nDeliberate test-only differences (speed, not semantics):\n\n");
                e.deliberate.forEach((k, v) ->
                        sb.append("- `").append(k).append("`: ").append(v).append('\n'));
            }
            if (!e.timings.isEmpty()) {
                sb.append("\n| timing | value |\n| --- | --- |\n");
                e.timings.forEach((k, v) ->
                        sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            }
        }
        return sb.toString();
    }

    /** One server's entry. Mutable only through the report, which synchronises. */
    public static final class Entry {
        final String id;
        final String server;
        final String provider;
        final Map<String, String[]> compared = new LinkedHashMap<>();
        final Map<String, String> deliberate = new LinkedHashMap<>();
        final Map<String, Object> timings = new LinkedHashMap<>();
        final List<String> drift = new ArrayList<>();

        /**
         * @param id       unique id, e.g. {@code postgres-16.4-1}
         * @param server   e.g. {@code PostgreSQL 16.4}
         * @param provider e.g. {@code embedded (zonky binaries 16.4.0, cached cluster)}
         */
        public Entry(String id, String server, String provider) {
            this.id = id;
            this.server = server;
            this.provider = provider;
        }

        /**
         * @param item       such as {@code postgres.version}
         * @param production declared value
         * @param test       value found on the test server
         * @return this
         */
        public Entry compared(String item, String production, String test) {
            compared.put(item, new String[] {production, test});
            return this;
        }

        /**
         * @param setting a test-only setting such as {@code fsync=off}
         * @param why     why it does not change behaviour under test
         * @return this
         */
        public Entry deliberate(String setting, String why) {
            deliberate.put(setting, why);
            return this;
        }

        /**
         * @param name  such as {@code startMs}
         * @param value a number or text
         * @return this
         */
        public Entry timing(String name, Object value) {
            timings.put(name, value);
            return this;
        }

        /**
         * @param lines the drift findings, one line each ({@link Drift#announce} writes them)
         * @return this
         */
        Entry drift(List<String> lines) {
            drift.clear();
            drift.addAll(lines);
            return this;
        }

        /** @return the entry's id */
        public String id() {
            return id;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("server", server);
            m.put("provider", provider);
            Map<String, Object> c = new LinkedHashMap<>();
            compared.forEach((k, v) -> {
                Map<String, Object> pair = new LinkedHashMap<>();
                pair.put("production", v[0]);
                pair.put("test", v[1]);
                c.put(k, pair);
            });
            m.put("compared", c);
            m.put("deliberateDifferences", new LinkedHashMap<>(deliberate));
            m.put("timings", new LinkedHashMap<>(timings));
            m.put("drift", new ArrayList<>(drift));
            return m;
        }
    }
}
