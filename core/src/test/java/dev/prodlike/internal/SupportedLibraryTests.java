package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** The version checks read the jar a class came from, and fail below the floor naming the version and the range. */
class SupportedLibraryTests {

    @Test
    void readsTheVersionOfTheJarTheClassCameFrom() {
        // Maven's metadata in the jar, as the jar's file name says
        String junit = SupportedLibrary.JUNIT.check(Test.class);
        assertThat(junit).matches("[56]\\.\\d+\\.\\d+.*");
        assertThat(Test.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .endsWith("/junit-jupiter-api-" + junit + ".jar");
        String flyway = SupportedLibrary.FLYWAY.checkOnce(Flyway.class);
        assertThat(Flyway.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .endsWith("/flyway-core-" + flyway + ".jar");
    }

    @Test
    void belowTheFloorFailsNamingTheVersionFoundAndTheRange() {
        // as every prodlike extension does first in this JVM: a check of the same library in another range is its own
        String junit = SupportedLibrary.JUNIT.checkOnce(Test.class);
        SupportedLibrary future =
                new SupportedLibrary("JUnit Jupiter", "org.junit.jupiter:junit-jupiter-api", "99.1.0", "99.2.0");

        for (int i = 0; i < 2; i++) { // not remembered: every class fails with it
            assertThatThrownBy(() -> future.checkOnce(Test.class))
                    .isInstanceOf(ExtensionConfigurationException.class)
                    .hasMessage("JUnit Jupiter " + junit + " (org.junit.jupiter:junit-jupiter-api) is on the test"
                            + " classpath, but prodlike supports 99.1.0 to 99.x.\nFix: use JUnit Jupiter 99.1.0 or newer"
                            + " (with Spring Boot, Boot 3.3 or newer manages a supported version; without, set the"
                            + " version of org.junit.jupiter:junit-jupiter-api in your build).");
        }
    }

    @Test
    void comparesTheNumericParts() {
        assertThat(SupportedLibrary.compare("6.3.2.RELEASE", "6.3.0")).isPositive();
        assertThat(SupportedLibrary.compare("5.9.3", "5.10.0")).isNegative();
        assertThat(SupportedLibrary.compare("7.7.0.RELEASE", "7.7.0")).isZero();
        assertThat(SupportedLibrary.compare("6.0.0-M1", "6.0.0")).isZero();
    }
}
