package dev.prodlike.internal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Running servers as an unprivileged user when the JVM runs as root (CI containers do), since PostgreSQL refuses to
 * run as root.
 */
public final class OsUser {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name")) || uidIsZero();

    private final String name;
    private final String group;

    private OsUser(String name, String group) {
        this.name = name;
        this.group = group;
    }

    /** @return true when this JVM runs as root */
    public static boolean isRoot() {
        return ROOT;
    }

    /**
     * Looks up an unprivileged user by name, and its primary group.
     *
     * @param name such as {@code nobody}
     * @return the user
     * @throws IllegalStateException when the user does not exist, with what to do
     */
    public static OsUser named(String name) {
        String group = primaryGroupFromFiles(name);
        if (group == null) { // not in /etc/passwd and /etc/group (LDAP, NIS, ...): ask id, which asks NSS
            group = run(List.of("id", "-gn", name));
        }
        if (group == null || group.isBlank()) {
            throw new IllegalStateException("The JVM runs as root, and PostgreSQL refuses to run as root, so prodlike "
                    + "runs it as an unprivileged OS user; but user '" + name + "' does not exist here.\n"
                    + "Create it (useradd --system " + name + ") or name an existing one with "
                    + "postgres.os-user=<user> in prodlike.properties.");
        }
        return new OsUser(name, group.trim());
    }

    /**
     * Reads a user's primary group from {@code /etc/passwd} and {@code /etc/group}, sparing a cold start the
     * process {@code id} would be.
     *
     * @return the group's name, or null when either file lacks the user or its group
     */
    static String primaryGroupFromFiles(String name) {
        try {
            String gid = field(Paths.get("/etc/passwd"), 0, name, 3);
            return gid == null ? null : field(Paths.get("/etc/group"), 2, gid, 0);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** @return field {@code wanted} of the first line of a colon-separated file whose field {@code key} is value */
    private static String field(Path file, int key, String value, int wanted) throws IOException {
        if (!Files.isReadable(file)) {
            return null;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String[] f = line.split(":", -1);
            if (f.length > Math.max(key, wanted) && f[key].equals(value) && !f[wanted].isEmpty()) {
                return f[wanted];
            }
        }
        return null;
    }

    /** @return the user name */
    public String name() {
        return name;
    }

    /**
     * Prefixes {@code command} so it runs as this user: {@code setpriv} where present (util-linux), else
     * {@code runuser}.
     *
     * @param command the command
     * @return the wrapped command
     */
    public List<String> wrap(List<String> command) {
        List<String> result = new ArrayList<>();
        if (onPath("setpriv")) {
            result.addAll(List.of("setpriv", "--reuid=" + name, "--regid=" + group, "--clear-groups", "--reset-env"));
        } else if (onPath("runuser")) {
            result.addAll(List.of("runuser", "-u", name, "--"));
        } else {
            throw new IllegalStateException("The JVM runs as root and neither setpriv nor runuser (util-linux) is "
                    + "installed, so prodlike cannot drop privileges to run PostgreSQL.\n"
                    + "Install util-linux, run the tests as a non-root user, or use provider=docker.");
        }
        result.addAll(command);
        return result;
    }

    /**
     * Gives this user ownership of a tree.
     *
     * @param tree the directory tree
     * @throws IOException on failure
     */
    public void chownTree(Path tree) throws IOException {
        UserPrincipalLookupService lookup = tree.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName(name);
        GroupPrincipal grp = lookup.lookupPrincipalByGroupName(group);
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                set(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isSymbolicLink()) {
                    set(file);
                }
                return FileVisitResult.CONTINUE;
            }

            private void set(Path p) throws IOException {
                PosixFileAttributeView view =
                        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                view.setOwner(user);
                view.setGroup(grp);
            }
        });
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static boolean uidIsZero() {
        String uid = run(List.of("id", "-u"));
        return uid != null && uid.trim().equals("0");
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
