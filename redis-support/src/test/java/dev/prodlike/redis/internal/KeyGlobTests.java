package dev.prodlike.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Key patterns mean in an assertion what they mean in Redis' KEYS and SCAN MATCH. */
class KeyGlobTests {

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "acme:*          | acme:order:42        | true",
                "acme:*          | order:42             | false",
                "acme:*          | acme                 | false",
                "orders::acme:*  | orders::acme:1       | true",
                "orders::acme:*  | orders::globex:1     | false",
                "session:?       | session:a            | true",
                "session:?       | session:ab           | false",
                "h[ae]llo        | hallo                | true",
                "h[ae]llo        | hillo                | false",
                "h[^e]llo        | hallo                | true",
                "h[^e]llo        | hello                | false",
                "h[a-c]llo       | hbllo                | true",
                "h[a-c]llo       | hdllo                | false",
                "a\\*b           | a*b                  | true",
                "a\\*b           | axb                  | false",
                "{acme}:*        | {acme}:cart          | true",
                "a.b             | axb                  | false",
                "*               | anything:at:all      | true",
            })
    void matchesAsRedisDoes(String glob, String key, boolean matches) {
        assertThat(KeyGlob.of(glob).matches(key)).isEqualTo(matches);
    }

    @Test
    void refusesWhatRedisWouldNotMeanClearly() {
        assertThatThrownBy(() -> KeyGlob.of(""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A key pattern must not be empty; write e.g. \"acme:*\"");
        assertThatThrownBy(() -> KeyGlob.of("acme:[a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("The key pattern \"acme:[a\" opens a [ it never closes");
    }
}
