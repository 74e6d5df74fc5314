package dev.prodlike.testing;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * A child JVM for the kill tests: runs one fixture class with the profile in a file (args: file, class name); the
 * fixture prints what it holds and waits to be killed.
 */
public final class RunUntilKilled {

    private RunUntilKilled() {}

    public static void main(String[] args) throws Exception {
        String profile = Files.readString(Paths.get(args[0]), StandardCharsets.UTF_8);
        Class<?> fixture = Class.forName(args[1]);
        ProfileOverride.with(profile, () -> {
            LauncherFactory.create()
                    .execute(LauncherDiscoveryRequestBuilder.request()
                            .selectors(selectClass(fixture))
                            .build());
            return null;
        });
        System.out.println("FINISHED without being killed");
    }
}
