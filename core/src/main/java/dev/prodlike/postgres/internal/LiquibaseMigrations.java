package dev.prodlike.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import liquibase.Scope;
import liquibase.UpdateSummaryEnum;
import liquibase.UpdateSummaryOutputEnum;
import liquibase.change.Change;
import liquibase.change.core.CreateProcedureChange;
import liquibase.change.core.CreateViewChange;
import liquibase.change.core.LoadDataChange;
import liquibase.change.core.SQLFileChange;
import liquibase.changelog.ChangeLogParameters;
import liquibase.changelog.ChangeSet;
import liquibase.changelog.DatabaseChangeLog;
import liquibase.changelog.visitor.AbstractChangeExecListener;
import liquibase.command.CommandScope;
import liquibase.command.core.UpdateCommandStep;
import liquibase.command.core.helpers.ChangeExecListenerCommandStep;
import liquibase.command.core.helpers.DatabaseChangelogCommandStep;
import liquibase.command.core.helpers.DbUrlConnectionArgumentsCommandStep;
import liquibase.command.core.helpers.ShowSummaryArgument;
import liquibase.database.Database;
import liquibase.database.DatabaseFactory;
import liquibase.database.jvm.JdbcConnection;
import liquibase.parser.ChangeLogParserFactory;
import liquibase.resource.ClassLoaderResourceAccessor;
import liquibase.resource.Resource;
import liquibase.resource.ResourceAccessor;
import liquibase.ui.LoggerUIService;
import liquibase.util.LiquibaseUtil;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Applies the service's Liquibase changelog to a template database as the owner, with the service's own
 * liquibase-core, and fingerprints every file the changelog reads. With {@link LiquibaseLog}, the only class that
 * touches Liquibase types: loaded only after {@link LiquibaseChangelog#from} found Liquibase on the test classpath.
 *
 * <p>Liquibase runs in a {@link Scope} of prodlike's own: its log and console output go to {@link LiquibaseLog}, it
 * reads the changelog through the test class loader, and it sends no usage data (4.30+ would try at every run).
 */
final class LiquibaseMigrations implements Migrator {

    /** The changelog parameter prodlike sets to the app role, as the Flyway placeholder of the same name. */
    static final String APP_ROLE_PARAMETER = "app_role";

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.\\d+)?.*");
    private static final Pattern FAILED_SQL = Pattern.compile("\\[Failed SQL: \\(\\d+\\) (.*)]\\s*$", Pattern.DOTALL);

    private final LiquibaseChangelog changelog;

    /** @param changelog the changelog, checked by {@link LiquibaseChangelog#from} */
    LiquibaseMigrations(LiquibaseChangelog changelog) {
        this.changelog = changelog;
    }

    @Override
    public String describe() {
        return changelog.describe();
    }

    @Override
    public String key() {
        return changelog.key();
    }

    @Override
    public String fingerprint(String appRole, String extra) {
        return fingerprint(changelog, appRole, extra + ";" + changelog.key());
    }

    @Override
    public Migrations.Result apply(PgServer server, String database, String appRole) {
        return apply(server, database, changelog, appRole);
    }

    @Override
    public Set<String> historyTables() {
        return Set.of("databasechangelog", "databasechangeloglock");
    }

    /** Changelogs are not read for a role they create: the app role is created before them, unless it exists. */
    @Override
    public Optional<String> creatorOf(String appRole) {
        return Optional.empty();
    }

    /**
     * @throws ExtensionConfigurationException when the Liquibase on the test classpath is outside 4.29-4.33
     */
    static void requireSupportedVersion() {
        String problem = unsupported(LiquibaseUtil.getBuildVersion());
        if (problem != null) {
            throw new ExtensionConfigurationException(problem);
        }
    }

    /**
     * @param version Liquibase's version, as its jar says
     * @return what is wrong with it and the fix, or null when prodlike supports it
     */
    static String unsupported(String version) {
        Matcher m = VERSION.matcher(String.valueOf(version));
        if (!m.matches()) {
            return null; // a build of Liquibase's own (DEV): nothing to compare
        }
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        if (major == 4 && minor >= 29 && minor <= 33) {
            return null;
        }
        return "Liquibase " + version + " is on the test classpath; prodlike supports Liquibase "
                + LiquibaseChangelog.SUPPORTED + " (postgres.changelog).\n"
                + (major >= 5
                        ? "Liquibase 5 and newer are not under an open-source licence; Spring Boot 4 manages them. Fix: pin"
                                + " the last open-source line, as production should: <liquibase.version>4.33.0</liquibase.version>"
                                + " in the pom's properties (with Spring Boot's parent), or org.liquibase:liquibase-core:4.33.0 in"
                                + " dependencyManagement before Spring Boot's BOM."
                        : "Fix: use org.liquibase:liquibase-core 4.29.0 or newer, up to 4.33.0.");
    }

    /**
     * @param changelog the changelog
     * @param appRole   the app role (a changelog parameter)
     * @param extra     anything else the migrated result depends on
     * @return a hex fingerprint of the bytes of every changelog the master includes and every file a changeset reads
     *     ({@code sqlFile}, {@code createProcedure}/{@code createView} with a path, {@code loadData}), or null
     *     when the changelog cannot be parsed (then nothing is cached, and the migration reports why)
     */
    static String fingerprint(LiquibaseChangelog changelog, String appRole, String extra) {
        LiquibaseLog.captureJavaLogging();
        try {
            return Scope.child(scope(), () -> {
                ResourceAccessor resources = Scope.getCurrentScope().getResourceAccessor();
                ChangeLogParameters parameters = new ChangeLogParameters();
                parameters.set(APP_ROLE_PARAMETER, appRole);
                DatabaseChangeLog log = ChangeLogParserFactory.getInstance()
                        .getParser(changelog.path(), resources)
                        .parse(changelog.path(), parameters, resources);
                TreeMap<String, byte[]> files = new TreeMap<>();
                files.put(changelog.path(), read(resources, changelog.path()));
                for (ChangeSet changeSet : log.getChangeSets()) {
                    for (DatabaseChangeLog file = changeSet.getChangeLog();
                            file != null;
                            file = file.getParentChangeLog()) {
                        files.computeIfAbsent(file.getPhysicalFilePath(), p -> read(resources, p));
                    }
                    for (Change change : changeSet.getChanges()) {
                        String referenced = referencedFile(resources, changeSet, change);
                        if (referenced != null) {
                            files.computeIfAbsent(referenced, p -> read(resources, p));
                        }
                    }
                }
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                digest.update((extra + ";" + APP_ROLE_PARAMETER + "=" + appRole + ";liquibase="
                                + LiquibaseUtil.getBuildVersion())
                        .getBytes(StandardCharsets.UTF_8));
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                    digest.update(e.getValue());
                }
                return HexFormat.of().formatHex(digest.digest(), 0, 8);
            });
        } catch (Exception e) {
            return null;
        } finally {
            LiquibaseLog.releaseJavaLogging();
        }
    }

    /** @return the path of the file a change reads its SQL or data from, or null */
    private static String referencedFile(ResourceAccessor resources, ChangeSet changeSet, Change change)
            throws IOException {
        String path;
        Boolean relative;
        if (change instanceof SQLFileChange c) {
            path = c.getPath();
            relative = c.isRelativeToChangelogFile();
        } else if (change instanceof CreateProcedureChange c) {
            path = c.getPath();
            relative = c.isRelativeToChangelogFile();
        } else if (change instanceof CreateViewChange c) {
            path = c.getPath();
            relative = c.getRelativeToChangelogFile();
        } else if (change instanceof LoadDataChange c) {
            path = c.getFile();
            relative = c.isRelativeToChangelogFile();
        } else {
            return null;
        }
        if (path == null) {
            return null;
        }
        if (Boolean.TRUE.equals(relative)) {
            return resources
                    .get(changeSet.getChangeLog().getPhysicalFilePath())
                    .resolveSibling(path)
                    .getPath();
        }
        return path;
    }

    private static byte[] read(ResourceAccessor resources, String path) {
        try {
            List<Resource> all = resources.getAll(path);
            if (all == null || all.isEmpty()) {
                throw new IllegalStateException("not on the classpath: " + path);
            }
            try (InputStream in = all.get(0).openInputStream()) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs Liquibase's update as the owner.
     *
     * @param server    the server
     * @param database  the template database
     * @param changelog the changelog, its contexts and labels
     * @param appRole   the app role, the changelog parameter {@value #APP_ROLE_PARAMETER}
     * @return what was applied
     * @throws ExtensionConfigurationException when a changeset fails (naming it, its file and the database's error)
     *                                         or the changelog cannot be read
     */
    static Migrations.Result apply(PgServer server, String database, LiquibaseChangelog changelog, String appRole) {
        long t0 = System.nanoTime();
        Progress progress = new Progress();
        LiquibaseLog.captureJavaLogging();
        try (Connection connection = server.ownerConnection(database)) {
            Scope.child(scope(), () -> {
                Database db =
                        DatabaseFactory.getInstance().findCorrectDatabaseImplementation(new JdbcConnection(connection));
                ChangeLogParameters parameters = new ChangeLogParameters(db);
                parameters.set(APP_ROLE_PARAMETER, appRole);
                new CommandScope(UpdateCommandStep.COMMAND_NAME)
                        .addArgumentValue(DbUrlConnectionArgumentsCommandStep.DATABASE_ARG, db)
                        .addArgumentValue(UpdateCommandStep.CHANGELOG_FILE_ARG, changelog.path())
                        .addArgumentValue(UpdateCommandStep.CONTEXTS_ARG, changelog.contexts())
                        .addArgumentValue(UpdateCommandStep.LABEL_FILTER_ARG, changelog.labels())
                        .addArgumentValue(DatabaseChangelogCommandStep.CHANGELOG_PARAMETERS, parameters)
                        .addArgumentValue(ChangeExecListenerCommandStep.CHANGE_EXEC_LISTENER_ARG, progress)
                        .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY, UpdateSummaryEnum.SUMMARY)
                        .addArgumentValue(ShowSummaryArgument.SHOW_SUMMARY_OUTPUT, UpdateSummaryOutputEnum.LOG)
                        .setOutput(OutputStream.nullOutputStream())
                        .execute();
            });
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Could not connect to the template database " + database + " on " + server.description() + ": "
                            + e.getMessage(),
                    e);
        } catch (Exception e) {
            throw failure(server, changelog, progress, e);
        } finally {
            LiquibaseLog.releaseJavaLogging();
        }
        if (progress.ran.isEmpty()) {
            throw new ExtensionConfigurationException(
                    changelog.describe().substring(0, 1).toUpperCase()
                            + changelog.describe().substring(1) + " applied no changeset"
                            + (changelog.contexts() != null || changelog.labels() != null
                                    ? " with contexts " + changelog.contexts() + " and labels " + changelog.labels()
                                    : "")
                            + ": the template would be an empty database.\nFix: point postgres.changelog at the service's"
                            + " master changelog (the one production runs), and check postgres.liquibase.contexts/labels.");
        }
        CRC32 crc = new CRC32();
        for (String ran : progress.ran) {
            crc.update(ran.getBytes(StandardCharsets.UTF_8));
        }
        return new Migrations.Result(
                progress.ran.size(),
                Long.toHexString(crc.getValue()),
                (System.nanoTime() - t0) / 1_000_000,
                progress.lastId);
    }

    private static RuntimeException failure(
            PgServer server, LiquibaseChangelog changelog, Progress progress, Exception e) {
        SQLException sql = null;
        String liquibaseMessage = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (sql == null && t instanceof SQLException s) {
                sql = s;
            }
            if (t.getMessage() != null && t.getMessage().contains("[Failed SQL:")) {
                liquibaseMessage = t.getMessage();
            }
        }
        if (progress.failed == null) {
            return new ExtensionConfigurationException(
                    "Liquibase could not apply " + changelog.describe()
                            + " while preparing the template database (server: " + server.description() + "):\n"
                            + rootMessage(e)
                            + "\nFix: make the changelog readable as production reads it (every include"
                            + " and file it names on the test classpath), or point postgres.changelog at the master"
                            + " changelog.",
                    e);
        }
        StringBuilder message = new StringBuilder("A changeset failed while preparing the template database")
                .append(" (server: ")
                .append(server.description())
                .append(").\n")
                .append("Changeset  : ")
                .append(progress.failed.getId())
                .append('\n')
                .append("Author     : ")
                .append(progress.failed.getAuthor())
                .append('\n')
                .append("File       : ")
                .append(
                        progress.failed.getChangeLog() != null
                                ? progress.failed.getChangeLog().getPhysicalFilePath()
                                : progress.failed.getFilePath())
                .append('\n');
        if (sql != null) {
            message.append("SQL State  : ")
                    .append(sql.getSQLState())
                    .append('\n')
                    .append("Error      : ")
                    .append(sql.getMessage().trim().replace("\n", "\n             "))
                    .append('\n');
        } else {
            message.append("Error      : ").append(rootMessage(e)).append('\n');
        }
        if (liquibaseMessage != null) {
            Matcher failedSql = FAILED_SQL.matcher(liquibaseMessage);
            if (failedSql.find()) {
                message.append("Statement  : ")
                        .append(failedSql.group(1).trim())
                        .append('\n');
            }
        }
        message.append("The same changelog fails on an empty database of this version: fix the changeset, or create"
                + " what it expects to exist before it runs.");
        return new ExtensionConfigurationException(message.toString(), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() != null ? root.getMessage() : root.toString();
        return message.trim();
    }

    /** Liquibase's scope for prodlike's work: its output routed, the test class loader, no usage data sent. */
    private static Map<String, Object> scope() {
        ClassLoader loader = LiquibaseChangelog.loader();
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(Scope.Attr.logService.name(), new LiquibaseLog());
        LoggerUIService ui = new LoggerUIService();
        values.put(Scope.Attr.ui.name(), ui);
        values.put(Scope.Attr.classLoader.name(), loader);
        values.put(Scope.Attr.resourceAccessor.name(), new ClassLoaderResourceAccessor(loader));
        values.put("liquibase.analytics.enabled", Boolean.FALSE);
        return values;
    }

    /** Which changesets ran, and the one that failed. */
    private static final class Progress extends AbstractChangeExecListener {
        final List<String> ran = new ArrayList<>();
        volatile String lastId = "none";
        volatile ChangeSet failed;

        @Override
        public void ran(
                ChangeSet changeSet, DatabaseChangeLog changeLog, Database database, ChangeSet.ExecType execType) {
            ran.add(changeSet.getFilePath() + "::" + changeSet.getId() + "::" + changeSet.getAuthor());
            lastId = changeSet.getId();
        }

        @Override
        public void runFailed(
                ChangeSet changeSet, DatabaseChangeLog changeLog, Database database, Exception exception) {
            failed = changeSet;
        }
    }
}
