package dev.prodlike.postgres.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The app role's DataSource that a test gets ({@link TestDatabase#appDataSource()}): what a plain JUnit test does
 * with it is what prodlike-spring does with the application's pool. Its first connection is the one opened to the
 * database before the test took it, when there is one (a new backend costs the test 20-40 ms, and its first
 * statements as much again while the backend fills its caches); and when the test closes a connection it has left
 * as it found it, that session stays in the database for the test the database goes to next ({@link
 * TestDatabase#park}), reset by {@code DISCARD ALL} as if new. Every other connection is a physical connection of
 * its own, as before.
 *
 * <p>A connection is left open to the next test only when nothing outside the server's session was changed on it:
 * a setter other than {@code setAutoCommit} (read-only, isolation, schema, client info, network timeout,
 * holdability, type map), {@code unwrap} (the driver's connection can change anything) or {@code abort} closes it
 * for real. Statements made through it are closed as it closes, so none of them reaches the next test.
 *
 * <p>It is the driver's {@code PGSimpleDataSource} still, for tests that cast it to set driver properties: once one
 * is set (its URL or credentials differ from what prodlike configured), every connection is a plain one of its own.
 */
final class AppSessions extends PGSimpleDataSource {

    private static final long serialVersionUID = 1L;

    /** The properties connections are opened with here: the driver's defaults. */
    static final Properties DRIVER = new Properties();

    /** Methods that change nothing a {@code DISCARD ALL} and a rollback do not undo. */
    private static final Set<String> HARMLESS_SETTERS = Set.of("setAutoCommit", "setSavepoint");

    /** What the test's database does with the sessions; {@link TestDatabase} is one. */
    interface Database {
        /** See {@link TestDatabase#connectAheadFromNowOn}. */
        void connectAheadFromNowOn(Properties driverProperties);

        /** See {@link TestDatabase#takeConnectionAhead}. */
        Connection takeConnectionAhead(Properties driverProperties);

        /** See {@link TestDatabase#park}. */
        boolean park(Connection c, Properties driverProperties);
    }

    private final transient Database database;
    private final boolean handsOn;
    /** The URL and password as prodlike configured them: sessions are kept only while they are unchanged. */
    private String configuredUrl;

    private String configuredPassword;

    /**
     * @param database the test's database
     * @param handsOn  whether a closed connection may be left for the next test (a database of its own test only:
     *                 in a database kept for a class, a session left by one test would be seen by the next)
     */
    AppSessions(Database database, boolean handsOn) {
        this.database = database;
        this.handsOn = handsOn;
    }

    /** Notes the configuration prodlike gave it, against which a test's own changes are recognised. */
    AppSessions configured() {
        configuredUrl = getURL();
        configuredPassword = getPassword();
        return this;
    }

    private boolean asConfigured() {
        return database != null
                && Objects.equals(configuredUrl, getURL())
                && Objects.equals(configuredPassword, getPassword());
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (!asConfigured()) {
            return super.getConnection();
        }
        database.connectAheadFromNowOn(DRIVER);
        Connection c = database.takeConnectionAhead(DRIVER);
        return session(c != null ? c : super.getConnection());
    }

    private Connection session(Connection connection) {
        return (Connection) Proxy.newProxyInstance(
                AppSessions.class.getClassLoader(), new Class<?>[] {Connection.class}, new Session(connection));
    }

    /** One connection as the test sees it. */
    private final class Session implements InvocationHandler {

        private final Connection connection;
        private final List<Statement> statements = new ArrayList<>();
        /** Whether the driver's connection may carry something to the next test: then it is never left there. */
        private boolean touched;

        private volatile boolean closed;

        Session(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            int arity = method.getParameterCount();
            switch (name) {
                case "close":
                    if (arity == 0) {
                        close();
                        return null;
                    }
                    break;
                case "isClosed":
                    if (arity == 0) {
                        return closed || connection.isClosed();
                    }
                    break;
                case "equals":
                    return arity == 1 && proxy == args[0];
                case "hashCode":
                    return arity == 0 ? System.identityHashCode(proxy) : call(method, args);
                case "toString":
                    return arity == 0 ? "Connection[" + getDatabaseName() + "] " + connection : call(method, args);
                default:
                    break;
            }
            if (closed) {
                throw new SQLException("This connection has been closed.", "08003");
            }
            if ((name.startsWith("set") && !HARMLESS_SETTERS.contains(name))
                    || name.equals("unwrap")
                    || name.equals("abort")) {
                touched = true;
            }
            Object result = call(method, args);
            if (result instanceof Statement s) {
                synchronized (statements) {
                    if (statements.size() >= 64) { // a long test's statements, most of them closed by now
                        statements.removeIf(Session::closedQuietly);
                    }
                    statements.add(s);
                }
            }
            return result;
        }

        private static boolean closedQuietly(Statement s) {
            try {
                return s.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }

        private Object call(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(connection, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            if (!handsOn || touched || connection.isClosed()) {
                connection.close();
                return;
            }
            synchronized (statements) {
                for (Statement s : statements) {
                    try {
                        s.close();
                    } catch (SQLException ignored) {
                        // the session is reset next, or closed when that fails
                    }
                }
                statements.clear();
            }
            if (!database.park(connection, DRIVER)) {
                connection.close();
            }
        }
    }

    @Override
    public String toString() {
        return "DataSource[app role, " + getDatabaseName() + "]";
    }
}
