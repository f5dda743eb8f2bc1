package org.binarybackends.defaultstore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.StoredBinary;
import org.binarybackends.defaultstore.DefaultStorageProvider;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leftovers of crashed puts (of this process or another sharing the root) and of verify probes are
 * swept while the storage runs, not only at its next start; a put in progress, however long it
 * stalls, is never swept from under it.
 */
class StagingSweepTest {
  @TempDir Path root;
  private final Secret rootId = DefaultStorageSettings.newRootId();

  private DefaultStorageBackend start() {
    return (DefaultStorageBackend) new DefaultStorageProvider().create(DefaultStorageSettings.builder().root(root).rootId(rootId)
        .downloadBaseUri(java.net.URI.create("http://127.0.0.1:1/"))
        .addSigningKey(SigningKey.of("k1", Secret.ofBytes("sweep-0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.UTF_8)))).staleTempAge(Duration.ofSeconds(1)).build(), BackendContext.defaults());
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(condition.getAsBoolean()).as("condition reached within 20 s").isTrue();
  }

  private List<Path> staging() throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("staging"))) {
      return s.collect(Collectors.toList());
    }
  }

  @Test
  void leftoversAppearingWhileTheStorageRunsAreSweptAndAPutInProgressIsNot() throws Exception {
    try (DefaultStorageBackend backend = start()) {
      // what a crashed put of another process and a verify killed mid-probe leave, long untouched
      Path crashed = Files.write(root.resolve("staging/" + java.util.UUID.randomUUID() + ".part"), new byte[1 << 20]);
      Path probe = Files.write(root.resolve("staging/verify-" + java.util.UUID.randomUUID()), new byte[64]);
      Path foreign = Files.write(root.resolve("staging/notes.txt"), new byte[1]);
      for (Path p : List.of(crashed, probe, foreign)) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
      }

      // a put that stalls in the middle of its stream, its temp file made to look old
      CountDownLatch reading = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      InputStream stalling = new InputStream() {
        private final InputStream first = new GeneratedContent(1, 100_000);
        private boolean stalled;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = first.read(b, off, len);
          if (n < 0 && !stalled) {
            stalled = true;
            reading.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
          }
          return n;
        }
      };
      CompletableFuture<StoredBinary> put = CompletableFuture.supplyAsync(
          () -> backend.put(OrganizationId.of("org-a"), ObjectKey.of("fw/slow.bin"), stalling));
      assertThat(reading.await(20, TimeUnit.SECONDS)).isTrue();
      Path inProgress = staging().stream().filter(p -> p.toString().endsWith(".part") && !p.equals(crashed))
          .findFirst().orElseThrow();
      Files.setLastModifiedTime(inProgress, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

      long seen = backend.sweeps();
      await(() -> backend.sweeps() >= seen + 2); // two whole sweeps after the leftovers were old
      assertThat(staging()).containsExactlyInAnyOrder(inProgress, foreign);
      release.countDown();
      StoredBinary stored = put.get(20, TimeUnit.SECONDS);
      assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(1, 100_000));
      assertThat(staging()).containsExactly(foreign);
    }
  }
}
