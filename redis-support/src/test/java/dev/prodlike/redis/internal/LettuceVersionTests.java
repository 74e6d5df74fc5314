package dev.prodlike.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.prodlike.internal.SupportedLibrary;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

/** The Lettuce the consumer's build brought is the one checked against the supported range. */
class LettuceVersionTests {

    @Test
    void readsTheVersionOfTheLettuceOnTheClasspath() {
        String lettuce = SupportedLibrary.LETTUCE.check(RedisClient.class);

        assertThat(RedisClient.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .getPath())
                .endsWith("/lettuce-core-" + lettuce + ".jar");
        assertThat(SupportedLibrary.compare(lettuce, SupportedLibrary.LETTUCE.floor()))
                .isNotNegative();
    }
}
