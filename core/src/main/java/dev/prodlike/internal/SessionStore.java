package dev.prodlike.internal;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Store that lives as long as the test JVM's launcher session, where servers shared by all test classes are kept.
 *
 * <p>The root Store ends with each launcher execution, and Surefire (with {@code forkCount} or
 * {@code reuseForks}) executes every test class as its own execution inside one launcher session: a server kept in
 * the root Store would start once per class. The session-scoped Store (JUnit 5.13+) lives for the whole fork and is
 * closed by JUnit when the session ends, which closes the servers in it. On an older JUnit the root Store is used.
 */
public final class SessionStore {

    private SessionStore() {}

    /**
     * @param context   any extension context
     * @param namespace the extension's namespace
     * @return the launcher-session Store for that namespace, or the root Store before JUnit 5.13
     */
    public static ExtensionContext.Store of(ExtensionContext context, ExtensionContext.Namespace namespace) {
        try {
            return context.getStore(ExtensionContext.StoreScope.LAUNCHER_SESSION, namespace);
        } catch (NoSuchMethodError | NoClassDefFoundError | UnsupportedOperationException e) {
            return context.getRoot().getStore(namespace);
        }
    }
}
