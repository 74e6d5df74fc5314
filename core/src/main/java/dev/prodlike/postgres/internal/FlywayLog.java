package dev.prodlike.postgres.internal;

import dev.prodlike.internal.Console;
import org.apiguardian.api.API;
import org.flywaydb.core.api.logging.Log;
import org.flywaydb.core.api.logging.LogCreator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Flyway's messages go while prodlike migrates a template: its per-migration progress (info, notices) to SLF4J
 * at DEBUG under Flyway's own logger names; its warnings to the console once ({@link Console#warning}); its errors
 * to DEBUG, because prodlike rethrows every migration failure with Flyway's full message (file, line, SQL state,
 * statement) as the test's failure. Without this, Flyway prints about ten INFO lines per template with an SLF4J
 * binding and twenty java.util.logging lines to stderr without one.
 *
 * <p>Public with a no-argument constructor only because Flyway instantiates it by class name
 * ({@code Flyway.configure().loggers(FlywayLog.class.getName())}); not API.
 */
@API(status = API.Status.INTERNAL, since = "0.1.0")
public final class FlywayLog implements LogCreator {

    /** Called by Flyway. */
    public FlywayLog() {}

    @Override
    public Log createLogger(Class<?> clazz) {
        Logger log = LoggerFactory.getLogger(clazz);
        // Every method abstract in the oldest supported Flyway (10.10) is implemented here, including
        // isDebugEnabled(), which Flyway made a default method only in 11.20.
        return new Log() {
            @Override
            public boolean isDebugEnabled() {
                return log.isDebugEnabled();
            }

            @Override
            public void debug(String message) {
                log.debug("{}", message);
            }

            @Override
            public void info(String message) {
                log.debug("{}", message);
            }

            @Override
            public void warn(String message) {
                Console.warning("Flyway: " + message);
            }

            @Override
            public void error(String message) {
                log.debug("{}", message);
            }

            @Override
            public void error(String message, Exception e) {
                log.debug(message, e);
            }

            @Override
            public void notice(String message) {
                log.debug("{}", message);
            }
        };
    }
}
