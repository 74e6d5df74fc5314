package dev.prodlike.redis.internal;

import java.util.regex.Pattern;

/**
 * A key pattern in the glob syntax of Redis' {@code KEYS} and {@code SCAN MATCH}: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a]}, {@code [a-z]} and {@code \} to escape, so a pattern means in an assertion what it means
 * in {@code redis-cli --scan --pattern}.
 */
public final class KeyGlob {

    private final String glob;
    private final Pattern regex;

    private KeyGlob(String glob, Pattern regex) {
        this.glob = glob;
        this.regex = regex;
    }

    /**
     * @param glob e.g. {@code acme:*}
     * @return the compiled pattern
     * @throws IllegalArgumentException when the glob is empty or a {@code [} is not closed
     */
    public static KeyGlob of(String glob) {
        if (glob == null || glob.isEmpty()) {
            throw new IllegalArgumentException("A key pattern must not be empty; write e.g. \"acme:*\"");
        }
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append("(?s:.*)");
                case '?' -> re.append("(?s:.)");
                case '\\' -> {
                    if (i + 1 < glob.length()) {
                        re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    } else {
                        re.append(Pattern.quote("\\"));
                    }
                }
                case '[' -> i = characterClass(glob, i, re);
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new KeyGlob(glob, Pattern.compile(re.toString()));
    }

    /** Appends the class starting at {@code open}; returns the index of its closing bracket. */
    private static int characterClass(String glob, int open, StringBuilder re) {
        int i = open + 1;
        StringBuilder cls = new StringBuilder("[");
        if (i < glob.length() && glob.charAt(i) == '^') {
            cls.append('^');
            i++;
        }
        for (; i < glob.length() && glob.charAt(i) != ']'; i++) {
            char c = glob.charAt(i);
            if (c == '\\' && i + 1 < glob.length()) {
                c = glob.charAt(++i);
            }
            if (c == '-' && cls.length() > 1 && i + 1 < glob.length() && glob.charAt(i + 1) != ']') {
                cls.append('-');
            } else {
                cls.append(Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c);
            }
        }
        if (i >= glob.length()) {
            throw new IllegalArgumentException("The key pattern \"" + glob + "\" opens a [ it never closes; escape"
                    + " it as \\\\[ to match a bracket");
        }
        re.append(cls).append(']');
        return i;
    }

    /** @param key a key @return true when the whole key matches */
    public boolean matches(String key) {
        return regex.matcher(key).matches();
    }

    @Override
    public String toString() {
        return glob;
    }
}
