package dev.prodlike.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The POSIX shared memory segments PostgreSQL processes made and did not remove ({@code /dev/shm/PostgreSQL.<n>}):
 * a server or initdb backend that ends without its cleanup leaves them until the machine restarts.
 */
public final class SharedMemorySegments {

    /** Where Linux keeps POSIX shared memory. */
    public static final Path SHM = Paths.get("/dev/shm");

    private SharedMemorySegments() {}

    /** @return the segments there now (none where there is no {@code /dev/shm}) */
    public static Set<Path> postgres() throws IOException {
        if (!Files.isDirectory(SHM)) {
            return new HashSet<>();
        }
        try (Stream<Path> files = Files.list(SHM)) {
            return files.filter(p -> p.getFileName().toString().startsWith("PostgreSQL."))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    /** @return the segments there now that were not in {@code before} */
    public static Set<Path> madeSince(Set<Path> before) throws IOException {
        Set<Path> now = postgres();
        now.removeAll(before);
        return now;
    }
}
