package dev.prodlike.postgres.internal.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** When a container gets a tmpfs for its clones, and whose it is. */
class MemoryClonesTests {

    @Test
    void aTmpfsNeedsTheClustersOwnerAndAnEngineWithRoomForIt() {
        assertThat(MemoryClones.possible("999:999", 8L << 30)).isTrue();
        assertThat(MemoryClones.possible("70:70", 4L << 30)).isTrue();
        assertThat(MemoryClones.possible("999:999", 2L << 30))
                .as("an engine of 2 GB (a small Docker Desktop VM): clones stay on its disk")
                .isFalse();
        assertThat(MemoryClones.possible("999:999", null)).isFalse();
        assertThat(MemoryClones.possible(null, 8L << 30))
                .as("an image made by an earlier version")
                .isFalse();
        assertThat(MemoryClones.possible("postgres:postgres", 8L << 30)).isFalse();
        assertThat(MemoryClones.tmpfs("999:998"))
                .containsExactly(java.util.Map.entry(MemoryClones.PATH, "rw,uid=999,gid=998,mode=0700"));
    }

    @Test
    void theOwnerIsReadFromTheFirstFileOfTheEnginesArchivePastPaxRecords() throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] pax = "30 path=PG_VERSION-with-a-long\n".getBytes(StandardCharsets.UTF_8);
        tar.write(header("PaxHeaders/PG_VERSION", 'x', 0, 0, pax.length));
        tar.write(pax);
        tar.write(new byte[512 - pax.length]);
        tar.write(header("PG_VERSION", '0', 999, 998, 3));
        tar.write("16\n".getBytes(StandardCharsets.UTF_8));
        assertThat(ContainerClusters.tarOwner(new ByteArrayInputStream(tar.toByteArray())))
                .isEqualTo("999:998");
        assertThat(ContainerClusters.tarOwner(new ByteArrayInputStream(new byte[1024])))
                .as("an empty archive")
                .isNull();
    }

    private static byte[] header(String name, char type, int uid, int gid, long size) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, String.format("%07o", uid));
        put(h, 116, String.format("%07o", gid));
        put(h, 124, String.format("%011o", size));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        return h;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
