package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Console;
import liquibase.logging.Logger;
import liquibase.logging.core.AbstractLogService;
import liquibase.logging.core.AbstractLogger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;

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

    @Override
    public int getPriority() {
        return PRIORITY_SPECIALIZED;
    }

    @Override
    public Logger getLog(Class clazz) {
        return new Slf4jLogger(LoggerFactory.getLogger(clazz));
    }

    private static final class Slf4jLogger extends AbstractLogger {
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
