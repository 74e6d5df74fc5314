package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Console;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.slf4j.LoggerFactory;

/**
 * Where Liquibase's messages go while prodlike migrates a template, as {@link FlywayLog} does for Flyway: progress
 * (info, its console messages and the update summary) to SLF4J at DEBUG under Liquibase's logger names; warnings to
 * the console, each text once per JVM; errors (severe) to DEBUG, because prodlike rethrows every failure with the
 * changeset, file and database error as the test's failure. Without this, Liquibase prints a dozen
 * java.util.logging lines to stderr for every template, and its update summary to standard output.
 *
 * <p>Extends Liquibase's abstract classes, not its interfaces, so methods Liquibase adds later have an
 * implementation.
 */
final class LiquibaseLog extends AbstractLogService {

    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    /**
     * Liquibase's own java.util.logging loggers, for the messages that bypass the scope's log service (4.33's
     * includeAll logs each file it reads through the root scope's): while prodlike runs Liquibase they go where
     * this log service sends its own, not to the console handler.
     */
    private static final java.util.logging.Logger JUL = // name clash: Liquibase's Logger is imported
            java.util.logging.Logger.getLogger("liquibase"); // name clash

    private static final Handler JUL_TO_SLF4J = new Handler() {
        @Override
        public void publish(LogRecord record) {
            new Slf4jLogger(LoggerFactory.getLogger(
                            record.getLoggerName() == null ? "liquibase" : record.getLoggerName()))
                    .log(record.getLevel(), record.getMessage(), record.getThrown());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private static int julUsers;
    private static boolean julParentHandlers;

    /** Until {@link #releaseJavaLogging()}: Liquibase's java.util.logging records go to SLF4J, not the console. */
    static void captureJavaLogging() {
        synchronized (JUL) {
            if (julUsers++ == 0) {
                julParentHandlers = JUL.getUseParentHandlers();
                JUL.setUseParentHandlers(false);
                JUL.addHandler(JUL_TO_SLF4J);
            }
        }
    }

    /** Ends one {@link #captureJavaLogging()}; the last one restores java.util.logging as it was. */
    static void releaseJavaLogging() {
        synchronized (JUL) {
            if (--julUsers == 0) {
                JUL.removeHandler(JUL_TO_SLF4J);
                JUL.setUseParentHandlers(julParentHandlers);
            }
        }
    }

    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED;
    }

    @Override
    public Logger getLog(Class clazz) {
        return new Slf4jLogger(LoggerFactory.getLogger(clazz));
    }

    static final class Slf4jLogger extends AbstractLogger {
        private final org.slf4j.Logger log;

        Slf4jLogger(org.slf4j.Logger log) {
            this.log = log;
        }

        @Override
        public void log(Level level, String message, Throwable e) {
            if (level == Level.OFF) {
                return;
            }
            String text = message;
            if (level == Level.WARNING) {
                if (text != null && WARNED.add(text)) {
                    Console.warning("Liquibase: " + text);
                }
                if (e != null) {
                    log.debug("{}", text, e);
                }
            } else if (e != null) {
                log.debug("{}", text, e);
            } else {
                log.debug("{}", text);
            }
        }
    }
}
