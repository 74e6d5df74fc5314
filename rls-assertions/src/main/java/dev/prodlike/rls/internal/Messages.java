package dev.prodlike.rls.internal;

import dev.prodlike.rls.Finding;
import java.util.List;

/** Renders findings for assertion messages. */
public final class Messages {

    private Messages() {}

    /**
     * @param findings findings to list
     * @return "found N leaks:" followed by one numbered block per finding
     */
    public static String leaks(List<Finding> findings) {
        StringBuilder sb =
                new StringBuilder("found ").append(findings.size()).append(findings.size() == 1 ? " leak:" : " leaks:");
        int i = 1;
        for (Finding f : findings) {
            sb.append("\n\n").append(i++).append(") ").append(f.toString().replace("\n", "\n   "));
        }
        return sb.toString();
    }
}
