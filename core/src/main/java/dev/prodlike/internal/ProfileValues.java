package dev.prodlike.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Values as the profile writes them (durations, lists). A class of its own, depending on nothing, so that the
 * profile, the key checks ({@link dev.prodlike.spi.ValueCheck}) and the core keys can all use it without depending
 * on each other.
 */
public final class ProfileValues {

    private static final Pattern DURATION_SHORT = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

    private ProfileValues() {}

    /**
     * Parses a duration as the profile writes it: {@code 15m}, {@code 30s}, {@code 2h}, {@code 500ms} or ISO-8601
     * ({@code PT15M}).
     *
     * @param text the text
     * @return the duration
     * @throws IllegalArgumentException when the text is neither form
     */
    public static Duration duration(String text) {
        String t = text.trim();
        var m = DURATION_SHORT.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("must be a duration such as 15m, 30s, 2h or PT15M");
        }
    }

    /**
     * Splits a comma-separated value, trimming blanks.
     *
     * @param value such as {@code pgcrypto, citext}
     * @return the items
     */
    public static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        for (String s : value.split(",")) {
            if (!s.isBlank()) {
                items.add(s.trim());
            }
        }
        return items;
    }
}
