package dev.prodlike.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The one encoding of what a cached or kept template remembers: written and read back, and the older forms read. */
class TemplateMetadataTests {

    @Test
    void readsBackWhatItWrites() {
        TemplateMetadata meta = new TemplateMetadata(
                12,
                "-1884536204",
                "2024.01.3",
                1,
                List.of("prodlike_tpl_ab12_s1", "a name, with = and spaces"),
                "created by the migrations (V1__init.sql), as in production");
        String text = meta.encode();
        assertThat(text)
                .doesNotContain("\n")
                .startsWith("applied=12 checksum=-1884536204 lastVersion=2024.01.3"
                        + " appRoleOwns=1 seededClones=prodlike_tpl_ab12_s1,a+name%2C+with+%3D+and+spaces"
                        + " appRoleOrigin=created+by+the+migrations+%28V1__init.sql%29%2C+as+in+production");
        assertThat(TemplateMetadata.decode(text)).isEqualTo(meta);
    }

    @Test
    void readsBackNothingKnown() {
        assertThat(TemplateMetadata.decode(TemplateMetadata.UNKNOWN.encode())).isEqualTo(TemplateMetadata.UNKNOWN);
        assertThat(TemplateMetadata.decode("")).isEqualTo(TemplateMetadata.UNKNOWN);
    }

    @Test
    void readsTheCacheFilesOfEarlierVersions() {
        // what java.util.Properties.store wrote into migrations.properties
        String file = "#migrations applied in this cached cluster\n#Sun Dec 06 07:54:41 UTC 2026\n"
                + "seededClones=prodlike_tpl_ab12_s1\nappRoleOwns=0\nlastVersion=3\nchecksum=991\napplied=3\n";
        assertThat(TemplateMetadata.decode(file))
                .isEqualTo(new TemplateMetadata(3, "991", "3", 0, List.of("prodlike_tpl_ab12_s1"), null));
    }

    @Test
    void readsTheDatabaseCommentsOfEarlierVersions() {
        // the comment on a template kept in a reused container, after its "prodlike template " prefix
        assertThat(TemplateMetadata.decode("applied=4 checksum=-17 lastVersion=4 appRoleOwns=2"))
                .isEqualTo(new TemplateMetadata(4, "-17", "4", 2, List.of(), null));
    }

    @Test
    void cachesOfEarlierVersionsSayTheAppRoleIsAsWhenCached() {
        assertThat(TemplateMetadata.decode("applied=4 checksum=-17").appRoleOrigin())
                .isEqualTo(TemplateMetadata.ORIGIN_UNKNOWN);
    }

    @Test
    void skipsWhatItDoesNotKnow() {
        assertThat(TemplateMetadata.decode("applied=x future=1 lone checksum=7"))
                .isEqualTo(new TemplateMetadata(0, "7", "?", 0, List.of(), null));
    }
}
