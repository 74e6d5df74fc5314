package dev.prodlike.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs sharing the cache's file locks. POSIX record locks belong to a process, so the kernel's deadlock check
 * reports a cycle that threads would resolve: this JVM holds {@code a} on one thread and waits for {@code b} on
 * another, while the other JVM holds {@code b} and waits for {@code a}. {@link Cache#withLock} must wait it out.
 */
@EnabledOnOs(OS.LINUX) // /proc/locks tells when the other JVM is blocked; the kernel check is Linux's
class CacheLockTests {

    @Test
    void aDeadlockThatThreadsResolveIsWaitedOut(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.lock");
        Path b = dir.resolve("b.lock");
        CountDownLatch holdingA = new CountDownLatch(1);
        CountDownLatch releaseA = new CountDownLatch(1);
        CompletableFuture<String> holder = CompletableFuture.supplyAsync(() -> {
            try {
                return Cache.withLock(a, () -> {
                    holdingA.countDown();
                    releaseA.await();
                    return "held a";
                });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(holdingA.await(30, TimeUnit.SECONDS)).isTrue();

        Process other = new ProcessBuilder(
                        Paths.get(System.getProperty("java.home"), "bin", "java")
                                .toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OtherJvm.class.getName(),
                        b.toString(),
                        a.toString())
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("holding " + b);
            awaitBlockedOnLock(other.pid());

            // This thread asks for b while the other JVM, holding b, waits for a, which this JVM holds: the kernel
            // answers EDEADLK at once. The holder of a lets go only after that answer has certainly been given.
            CompletableFuture<String> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return Cache.withLock(b, () -> "locked b");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            releaseA.countDown();

            assertThat(holder.get(60, TimeUnit.SECONDS)).isEqualTo("held a");
            assertThat(second.get(60, TimeUnit.SECONDS)).isEqualTo("locked b");
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out.readLine()).isEqualTo("locked " + a);
            assertThat(other.exitValue()).isZero();
        } finally {
            releaseA.countDown();
            other.destroyForcibly();
        }
    }

    /** Waits until /proc/locks shows the process blocked on a lock (a line marked "->"). */
    private static void awaitBlockedOnLock(long pid) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<String> locks = Files.readAllLines(Paths.get("/proc/locks"));
            if (locks.stream().anyMatch(l -> l.contains("->") && l.matches(".*\\s" + pid + "\\s.*"))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the other JVM (pid " + pid + ") never blocked on its lock");
    }

    /** The other JVM: holds the first file's lock, then waits for the second's. */
    public static final class OtherJvm {
        public static void main(String[] args) throws IOException {
            Path first = Paths.get(args[0]);
            Path second = Paths.get(args[1]);
            try (FileChannel c1 = FileChannel.open(first, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock l1 = c1.lock()) {
                System.out.println("holding " + first);
                System.out.flush();
                try (FileChannel c2 = FileChannel.open(second, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock l2 = c2.lock()) {
                    System.out.println("locked " + second);
                }
            }
        }
    }
}
