package dev.prodlike.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted over a directory for one test (needs root), to make a disk run full on purpose.
 *
 * <p>Closing it unmounts it and checks that the unmount worked: a refused ("busy") unmount means something still uses
 * the directory — a process prodlike started that outlived the failure, or a file it left open — which is a defect of
 * the code under test, so closing then fails and names every holder (process, command line, and whether its working
 * directory, an open file or a mapping lies inside). It still detaches the mount lazily so the test's cleanup can
 * delete the directory.
 */
public final class SmallFileSystem implements AutoCloseable {

    private final Path mountPoint;

    private SmallFileSystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs of {@code size} over {@code dir}, or skips the test (an assumption) when this machine cannot.
     *
     * @param dir  an existing, empty directory
     * @param size as tmpfs takes it, e.g. {@code 4m}
     * @return the mounted file system; close it to unmount
     * @throws Exception when the mount command cannot be run
     */
    public static SmallFileSystem mount(Path dir, String size) throws Exception {
        Command mount =
                Command.run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=755", "tmpfs", dir.toString());
        assumeTrue(mount.exit() == 0, "cannot mount a tmpfs here: " + mount.output());
        return new SmallFileSystem(dir.toRealPath());
    }

    /**
     * Unmounts; when the kernel refuses, fails naming what held the mount, after detaching it lazily.
     *
     * @throws Exception when the unmount failed (an {@link AssertionError}) or could not be run
     */
    @Override
    public void close() throws Exception {
        // Looked at just before: a holder may be gone a moment after the refusal.
        String before = holders();
        Command umount = Command.run("umount", mountPoint.toString());
        if (umount.exit() == 0) {
            return;
        }
        String after = holders();
        Command lazy = Command.run("umount", "-l", mountPoint.toString());
        throw new AssertionError("umount " + mountPoint + " failed (exit " + umount.exit() + "): "
                + umount.output().strip() + "\nUsing it just before the unmount:\n" + before
                + "\nRight after the refusal:\n" + after
                + "\n(detached lazily "
                + (lazy.exit() == 0
                        ? "so the directory could be removed"
                        : "failed too: " + lazy.output().strip()) + ")");
    }

    /** Every process whose working directory, root, open files or mappings lie under the mount point. */
    String holders() {
        List<String> found = new ArrayList<>();
        String prefix = mountPoint.toString();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Paths.get("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                List<String> uses = new ArrayList<>();
                for (String link : List.of("cwd", "root")) {
                    if (under(readLink(proc.resolve(link)), prefix)) {
                        uses.add(link + " " + readLink(proc.resolve(link)));
                    }
                }
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        String target = readLink(fd);
                        if (under(target, prefix)) {
                            uses.add("fd " + fd.getFileName() + " " + target);
                        }
                    }
                } catch (IOException | SecurityException gone) {
                    // exited meanwhile, or not ours to read
                }
                try {
                    Files.readAllLines(proc.resolve("maps")).stream()
                            .filter(l -> l.contains(" " + prefix + "/"))
                            .map(l -> "mapped " + l.substring(l.indexOf('/')))
                            .distinct()
                            .forEach(uses::add);
                } catch (IOException | SecurityException gone) {
                    // exited meanwhile
                }
                if (!uses.isEmpty()) {
                    found.add("  pid " + proc.getFileName() + " (parent " + status(proc, "PPid") + ", "
                            + (proc.getFileName()
                                            .toString()
                                            .equals(String.valueOf(
                                                    ProcessHandle.current().pid()))
                                    ? "this JVM"
                                    : "cmd " + cmdline(proc))
                            + "): " + String.join(", ", uses));
                }
            }
        } catch (IOException e) {
            found.add("  (cannot list /proc: " + e + ")");
        }
        if (found.isEmpty()) {
            found.add("  no process (a lazily released kernel reference, or a holder that exited just before the"
                    + " look)");
        }
        return String.join("\n", found);
    }

    private static boolean under(String path, String prefix) {
        return path != null && (path.equals(prefix) || path.startsWith(prefix + "/"));
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return null;
        }
    }

    private static String status(Path proc, String field) {
        try {
            return Files.readAllLines(proc.resolve("status")).stream()
                    .filter(l -> l.startsWith(field + ":"))
                    .map(l -> l.substring(field.length() + 1).strip())
                    .findFirst()
                    .orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cmdline(Path proc) {
        try {
            return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ')
                    .strip();
        } catch (IOException e) {
            return "?";
        }
    }

    private record Command(int exit, String output) {
        static Command run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Command(-1, String.join(" ", command) + " did not finish within 30 s");
            }
            return new Command(p.exitValue(), out);
        }
    }
}
