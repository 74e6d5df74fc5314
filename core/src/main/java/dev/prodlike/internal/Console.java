package dev.prodlike.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

/**
 * What prodlike tells the user, each line once: one line per started server, and warnings (drift under
 * {@code drift=warn}, leftovers of a crashed run removed, a cache that could not be written).
 *
 * <p>With an SLF4J binding on the test classpath the lines go to the logger {@code dev.prodlike} (INFO and WARN), so
 * the user's logging configuration decides; without one (SLF4J's no-operation fallback) they are printed to standard
 * output prefixed {@code prodlike:}, so a project without a binding still sees them. Everything else prodlike does is
 * logged at DEBUG under the class's own logger.
 */
public final class Console {

    private static final Logger LOG = LoggerFactory.getLogger("dev.prodlike");

    private Console() {
    }

    /**
     * One line the user should see on every run, e.g. a server's start.
     *
     * @param message the line, without a prefix
     */
    public static void line(String message) {
        if (bound()) {
            LOG.info("{}", message);
        } else {
            System.out.println("prodlike: " + message);
        }
    }

    /**
     * A warning: something the user may need to act on.
     *
     * @param message the warning, without a prefix
     */
    public static void warning(String message) {
        if (bound()) {
            LOG.warn("{}", message);
        } else {
            System.out.println("prodlike: WARNING " + message);
        }
    }

    /** @return true when an SLF4J binding (provider) is present, false on SLF4J's no-operation fallback */
    static boolean bound() {
        return !(LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory);
    }
}
