package dev.prodlike.postgres.internal;

import dev.prodlike.internal.SupportedLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;

/**
 * A fingerprint of the migration files themselves (names and bytes under every location), computed without a
 * database, so a run can tell before starting a server whether a cluster migrated earlier is still exact.
 */
final class MigrationSource {

    private MigrationSource() {}

    /**
     * @param locations Flyway locations
     * @param extra     anything else the migrated result depends on (app role, versions)
     * @return a hex fingerprint, or null when a location cannot be read this way (then nothing is cached)
     */
    static String fingerprint(List<String> locations, String extra) {
        TreeMap<String, byte[]> files = files(locations);
        if (files == null) {
            return null;
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(extra.getBytes(StandardCharsets.UTF_8));
            // The migrated result depends on the Flyway that ran (its schema history table, its parser).
            String flyway = SupportedLibrary.FLYWAY.version(Flyway.class).orElse("unknown");
            digest.update(flyway.getBytes(StandardCharsets.UTF_8));
            for (var e : files.entrySet()) {
                digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(e.getValue());
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether the migrations create the app role themselves ({@code CREATE USER app ...} or {@code CREATE ROLE
     * ${app_role} ...}), as services do whose first migration sets up their own login role. Comments are ignored;
     * Java migrations cannot be read this way, so a role created only there counts as not created.
     *
     * @param locations Flyway locations
     * @param role      the app role
     * @return the file that creates it, or empty
     */
    static Optional<String> creatorOf(List<String> locations, String role) {
        TreeMap<String, byte[]> files = files(locations);
        if (files == null) {
            return Optional.empty();
        }
        // Unquoted names fold to lower case in PostgreSQL, so they match case-insensitively; quoted ones exactly. A
        // name
        // that only starts with the role or the placeholder (CREATE ROLE ${app_role}_admin) is another role.
        Pattern creates = Pattern.compile("(?i:\\bCREATE\\s+(?:USER|ROLE)\\s+)(?:"
                + "(?i:" + Pattern.quote(role) + ")(?![\\w$])|\"" + Pattern.quote(role)
                + "\"|\\$\\{app_role\\}(?![\\w$])|\"\\$\\{app_role\\}\")");
        for (var e : files.entrySet()) {
            if (!e.getKey().toLowerCase(Locale.ROOT).endsWith(".sql")) {
                continue;
            }
            String sql = new String(e.getValue(), StandardCharsets.UTF_8)
                    .replaceAll("(?s)/\\*.*?\\*/", " ")
                    .replaceAll("--[^\n]*", " ");
            if (creates.matcher(sql).find()) {
                String name = e.getKey();
                return Optional.of(name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('!')) + 1));
            }
        }
        return Optional.empty();
    }

    /** @return the files under every location by location-qualified name, or null when one cannot be read */
    private static TreeMap<String, byte[]> files(List<String> locations) {
        TreeMap<String, byte[]> files = new TreeMap<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = MigrationSource.class.getClassLoader();
        }
        try {
            for (String location : locations) {
                if (location.startsWith("filesystem:")) {
                    Path dir = Paths.get(location.substring("filesystem:".length()));
                    if (!Files.isDirectory(dir)) {
                        return null;
                    }
                    walk(dir, location, files);
                } else {
                    String path =
                            location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
                    path = path.replaceAll("^/+", "").replaceAll("/+$", "");
                    Enumeration<URL> urls = loader.getResources(path);
                    boolean any = false;
                    while (urls.hasMoreElements()) {
                        any = true;
                        URL url = urls.nextElement();
                        if (url.getProtocol().equals("file")) {
                            walk(Paths.get(url.toURI()), location, files);
                        } else if (url.getProtocol().equals("jar")) {
                            URLConnection conn = url.openConnection();
                            conn.setUseCaches(false);
                            try (JarFile jar = ((JarURLConnection) conn).getJarFile()) {
                                Enumeration<JarEntry> entries = jar.entries();
                                while (entries.hasMoreElements()) {
                                    JarEntry e = entries.nextElement();
                                    if (!e.isDirectory() && e.getName().startsWith(path + "/")) {
                                        try (InputStream in = jar.getInputStream(e)) {
                                            files.put(location + "!" + e.getName(), in.readAllBytes());
                                        }
                                    }
                                }
                            }
                        } else {
                            return null;
                        }
                    }
                    if (!any) {
                        return null;
                    }
                }
            }
            return files;
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static void walk(Path dir, String prefix, TreeMap<String, byte[]> files) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                files.put(prefix + "/" + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
    }
}
