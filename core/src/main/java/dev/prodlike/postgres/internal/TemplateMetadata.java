package dev.prodlike.postgres.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What is remembered about a migrated template that outlives the JVM (a cached migrated cluster, a template kept in
 * a reused container), in one encoding read and written only here: {@code key=value} pairs separated by spaces or
 * line breaks, each value URL-encoded, the seeded clones a comma-separated list of such values; lines starting with
 * {@code #} are ignored. The pairs written by earlier versions of prodlike (a Java properties file, a database
 * comment) read the same way: their values never needed encoding.
 *
 * @param applied      migrations applied
 * @param checksum     the migrations' checksum, or "?" when unknown
 * @param lastVersion  the last migration's version, or "?" when unknown
 * @param appRoleOwns  relations the app role owns after the migrations
 * @param seededClones clones made from the template before it was cached, ready for the first tests
 */
public record TemplateMetadata(
        int applied,
        String checksum,
        String lastVersion,
        int appRoleOwns,
        List<String> seededClones,
        String appRoleOrigin) {

    /** What the metadata of an older cache, which did not record who created the app role, says about it. */
    static final String ORIGIN_UNKNOWN = "as when the migrated cluster was cached";

    /** Nothing known: an entry whose metadata is missing or unreadable. */
    static final TemplateMetadata UNKNOWN = new TemplateMetadata(0, "?", "?", 0, List.of(), ORIGIN_UNKNOWN);

    public TemplateMetadata {
        seededClones = List.copyOf(seededClones);
        appRoleOrigin = appRoleOrigin == null || appRoleOrigin.isBlank() ? ORIGIN_UNKNOWN : appRoleOrigin;
    }

    /** @return the one encoding, on one line */
    public String encode() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("applied", String.valueOf(applied));
        pairs.put("checksum", encoded(checksum));
        pairs.put("lastVersion", encoded(lastVersion));
        pairs.put("appRoleOwns", String.valueOf(appRoleOwns));
        if (!seededClones.isEmpty()) {
            List<String> clones = new ArrayList<>();
            seededClones.forEach(c -> clones.add(encoded(c)));
            pairs.put("seededClones", String.join(",", clones));
        }
        pairs.put("appRoleOrigin", encoded(appRoleOrigin));
        StringBuilder text = new StringBuilder();
        pairs.forEach((k, v) ->
                text.append(text.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return text.toString();
    }

    /**
     * @param text an encoding (see the class comment); unknown keys and malformed pairs are skipped
     * @return the metadata, with what is missing unknown
     */
    public static TemplateMetadata decode(String text) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            if (line.strip().startsWith("#")) {
                continue;
            }
            for (String pair : line.strip().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    pairs.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        List<String> clones = new ArrayList<>();
        for (String clone : pairs.getOrDefault("seededClones", "").split(",")) {
            if (!clone.isBlank()) {
                clones.add(decoded(clone));
            }
        }
        return new TemplateMetadata(
                number(pairs.get("applied")),
                decoded(pairs.getOrDefault("checksum", "?")),
                decoded(pairs.getOrDefault("lastVersion", "?")),
                number(pairs.get("appRoleOwns")),
                clones,
                decoded(pairs.getOrDefault("appRoleOrigin", ORIGIN_UNKNOWN)));
    }

    private static int number(String value) {
        try {
            return value == null ? 0 : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String decoded(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
