package dev.prodlike.internal;

import dev.prodlike.spi.ProfileKeys;
import dev.prodlike.spi.ValueCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Every profile key that the prodlike modules on one class loader declare through {@link ProfileKeys}.
 *
 * <p>Looked up once per class loader and kept while the loader lives. Immutable and thread-safe.
 */
public final class ProfileKeyRegistry {

    private static final Map<ClassLoader, ProfileKeyRegistry> BY_LOADER = new WeakHashMap<>();

    private final Map<String, ValueCheck> keys;
    private final Set<String> prefixes;

    private ProfileKeyRegistry(Map<String, ValueCheck> keys, Set<String> prefixes) {
        this.keys = Collections.unmodifiableMap(keys);
        this.prefixes = Collections.unmodifiableSet(prefixes);
    }

    /**
     * @param loader where {@code META-INF/services/dev.prodlike.spi.ProfileKeys} is looked up; core's own keys are
     *               always included
     * @return the keys of every module visible to {@code loader}
     */
    public static ProfileKeyRegistry of(ClassLoader loader) {
        synchronized (BY_LOADER) {
            return BY_LOADER.computeIfAbsent(loader, ProfileKeyRegistry::discover);
        }
    }

    /** The class declaring core's keys, found through core's services file. */
    private static final String CORE_KEYS = "dev.prodlike.internal.CoreProfileKeys";

    private static ProfileKeyRegistry discover(ClassLoader loader) {
        Map<String, ValueCheck> keys = new LinkedHashMap<>();
        Set<String> prefixes = new LinkedHashSet<>();
        List<ProfileKeys> modules = new ArrayList<>();
        Set<String> found = new LinkedHashSet<>();
        try {
            // core's keys are found as every module's are (its own services file), so that the registry does not
            // depend on the class that names them; core's own loader is asked too, in case the given one cannot see it
            for (ClassLoader l :
                    new LinkedHashSet<>(Arrays.asList(loader, ProfileKeyRegistry.class.getClassLoader()))) {
                for (ProfileKeys module : ServiceLoader.load(ProfileKeys.class, l)) {
                    if (found.add(module.getClass().getName())) {
                        modules.add(module);
                    }
                }
            }
            // core's keys first: no module redefines them
            modules.sort(Comparator.comparing(m -> !m.getClass().getName().equals(CORE_KEYS)));
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException(
                    "A prodlike module's profile keys could not be loaded: " + e.getMessage()
                            + "\nFix: check META-INF/services/" + ProfileKeys.class.getName()
                            + " of that module's jar.",
                    e);
        }
        for (ProfileKeys module : modules) {
            module.keys().forEach(keys::putIfAbsent);
            prefixes.addAll(module.prefixes());
        }
        return new ProfileKeyRegistry(keys, prefixes);
    }

    /**
     * @param key a profile key
     * @return its check: the declared one, or the setting-name check for a key under a declared prefix; {@code null}
     *         when no module declares the key
     */
    public ValueCheck check(String key) {
        ValueCheck exact = keys.get(key);
        if (exact != null) {
            return exact;
        }
        for (String prefix : prefixes) {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                String name = key.substring(prefix.length());
                return v -> name.matches("[A-Za-z_][A-Za-z0-9_.-]*")
                        ? null
                        : "names no setting: write the server setting's own name after '" + prefix + "'";
            }
        }
        return null;
    }

    /** @return the exact keys, in declaration order */
    public Set<String> keys() {
        return keys.keySet();
    }

    /** @return the open-ended prefixes such as {@code postgres.settings.} */
    public Set<String> prefixes() {
        return prefixes;
    }

    /**
     * @param key an unknown key such as {@code redis.version}
     * @return true when no declared key or prefix shares its first segment ({@code redis.}), i.e. the module that
     *         would declare it is probably not on the classpath
     */
    public boolean namespaceUnknown(String key) {
        int dot = key.indexOf('.');
        if (dot < 0) {
            return false;
        }
        String namespace = key.substring(0, dot + 1);
        for (String k : keys.keySet()) {
            if (k.startsWith(namespace)) {
                return false;
            }
        }
        for (String p : prefixes) {
            if (p.startsWith(namespace)) {
                return false;
            }
        }
        return true;
    }
}
