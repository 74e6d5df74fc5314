package dev.prodlike.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Child JVMs of the harness. Cold starts are measured in fresh JVMs (class loading included, as in a build tool's
 * test fork). A child may run as the unprivileged user {@code nobody}, for zonky, whose PostgreSQL refuses root.
 * Children report {@code BENCH key=value ...} lines on stdout; everything they print is kept in a log file.
 */
final class Children {

    private final Path logs;
    private final Path work;
    private String nobodyClasspath;

    Children(Path work) {
        this.work = work;
        this.logs = work.resolve("logs");
    }

    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[0].equals("0");
                }
            }
        } catch (IOException ignored) {
            // not Linux: never root for our purposes
        }
        return false;
    }

    /**
     * @param label     name of the log file
     * @param asNobody  run as the unprivileged user (only when this JVM is root)
     * @param jvmArgs   extra JVM arguments
     * @param mainClass the child's main class
     * @param args      its arguments
     * @return every key=value of the child's BENCH lines
     */
    Map<String, Double> run(String label, boolean asNobody, List<String> jvmArgs, Class<?> mainClass, String... args) {
        boolean drop = asNobody && runningAsRoot();
        List<String> command = new ArrayList<>();
        if (drop) {
            command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=" + nobodyGroup(), "--clear-groups"));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.addAll(jvmArgs);
        try {
            command.add("-cp");
            command.add(drop ? nobodyClasspath() : System.getProperty("java.class.path"));
            command.add(mainClass.getName());
            command.addAll(List.of(args));
            Files.createDirectories(logs);
            Path log = logs.resolve(label + ".log");
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .directory(drop ? nobodyDir().toFile() : work.toFile())
                    .start();
            if (!p.waitFor(4, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(label + " did not finish within 4 minutes; see " + log);
            }
            String output = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(label + " exited " + p.exitValue() + ":\n" + tail(output));
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (String line : output.split("\n")) {
                if (line.startsWith("BENCH ")) {
                    for (String pair : line.substring(6).trim().split("\\s+")) {
                        int eq = pair.indexOf('=');
                        values.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
                    }
                }
            }
            return values;
        } catch (IOException e) {
            throw new IllegalStateException("Could not run " + label + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** @return a working and temp directory the unprivileged user owns */
    Path nobodyDir() throws IOException {
        Path dir = work.resolve("nobody");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            if (runningAsRoot()) {
                UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, users.lookupPrincipalByName("nobody"));
            }
        }
        return dir;
    }

    private static String nobodyGroup() {
        try {
            for (String line : Files.readAllLines(Paths.get("/etc/group"))) {
                if (line.startsWith("nogroup:")) {
                    return "nogroup";
                }
            }
        } catch (IOException ignored) {
            // fall through
        }
        return "nobody";
    }

    /** The local Maven repository is usually unreadable to other users: copy the jars where nobody can read them. */
    private synchronized String nobodyClasspath() throws IOException {
        if (nobodyClasspath == null) {
            Path lib = work.resolve("lib");
            Files.createDirectories(lib);
            List<String> entries = new ArrayList<>();
            int i = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path source = Paths.get(entry);
                if (Files.isDirectory(source)) {
                    entries.add(source.toAbsolutePath().toString());
                } else if (Files.isRegularFile(source)) {
                    Path copy = lib.resolve((i++) + "-" + source.getFileName());
                    Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                    entries.add(copy.toAbsolutePath().toString());
                }
            }
            nobodyClasspath = String.join(File.pathSeparator, entries);
        }
        return nobodyClasspath;
    }

    private static String tail(String output) {
        String[] lines = output.split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = Math.max(0, lines.length - 40); i < lines.length; i++) {
            b.append("  ").append(lines[i]).append('\n');
        }
        return b.toString();
    }
}
