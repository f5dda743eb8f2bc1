package org.binarybackends.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.defaultstore.DefaultStorageProvider;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;

/**
 * The default storage against its baselines, in one run on one file:
 *
 * <ul>
 *   <li>put (SHA-256 computed, data fsynced, renamed, directory fsynced) vs {@code cp} then
 *       {@code sync} of the copy;
 *   <li>read through the backend's {@code InputStream} vs {@code cat} of the stored file to
 *       {@code /dev/null};
 *   <li>a download through the embedded server over loopback (stated, compared with {@code cat}).
 * </ul>
 *
 * <p>Usage: {@code DefaultStorageBenchmark compare <work dir> <MiB> <repetitions>} or
 * {@code DefaultStorageBenchmark bigput <work dir> <MiB>} (run with a small -Xmx to show constant
 * memory). Prints MB/s (10^6 bytes per second) per repetition and the medians.
 */
public final class DefaultStorageBenchmark {
  private static final OrganizationId ORG = OrganizationId.of("bench-org");
  private static final ObjectKey KEY = ObjectKey.of("firmware/bench.bin");

  private DefaultStorageBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[1]);
    long bytes = Long.parseLong(args[2]) << 20;
    if (args[0].equals("bigput")) {
      bigPut(work, bytes);
    } else {
      compare(work, bytes, Integer.parseInt(args[3]));
    }
  }

  private static BinaryBackend open(Path root) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return new DefaultStorageProvider().create(DefaultStorageSettings.builder().root(root)
        .rootId(Secret.of("0123456789abcdef0123456789abcdef")) // fixed: a benchmark reopens its work directory
        .addSigningKey(SigningKey.of("bench", Secret.ofBytes(key)))
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0)).build(), BackendContext.defaults());
  }

  private static void compare(Path work, long bytes, int repetitions) throws Exception {
    Files.createDirectories(work);
    Path source = work.resolve("source.bin");
    writeSource(source, bytes);
    Path root = work.resolve("storage");
    List<double[]> rows = new ArrayList<>();
    try (BinaryBackend backend = open(root)) {
      HttpClient http = HttpClient.newHttpClient();
      for (int rep = 1; rep <= repetitions; rep++) {
        Path copy = work.resolve("copy.bin");
        Files.deleteIfExists(copy);
        run("sync");
        double cpSync = mbps(bytes, time(() -> run("sh", "-c", "cp '" + source + "' '" + copy + "' && sync '" + copy + "'")));
        Files.delete(copy);
        run("sync");

        double put = mbps(bytes, time(() -> {
          try (InputStream in = Files.newInputStream(source)) {
            StoredBinary stored = backend.put(ORG, KEY, in, PutOptions.builder().contentLength(bytes).build());
            if (stored.size() != bytes) {
              throw new IllegalStateException("stored " + stored.size());
            }
          }
        }));

        Path stored = storedFile(root);
        double cat = mbps(bytes, time(() -> run("sh", "-c", "cat '" + stored + "' > /dev/null")));
        double read = mbps(bytes, time(() -> {
          try (BinaryContent content = backend.read(ORG, KEY)) {
            drain(content.stream(), bytes);
          }
        }));
        SignedUrl url = backend.signDownloadUrl(ORG, KEY, Duration.ofMinutes(10));
        double download = mbps(bytes, time(() -> {
          HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url.uri()).build(),
              HttpResponse.BodyHandlers.ofInputStream());
          try (InputStream body = r.body()) {
            drain(body, bytes);
          }
        }));
        double curl = mbps(bytes, time(() -> run("curl", "-sf", "-o", "/dev/null", url.uri().toString())));
        rows.add(new double[] {cpSync, put, cat, read, download, curl});
        System.out.printf(Locale.ROOT, "rep %d: cp+sync %.0f MB/s, put %.0f MB/s (%.2fx); cat %.0f MB/s, read %.0f MB/s"
            + " (%.2fx); HTTP download with the JDK client %.0f MB/s, with curl %.0f MB/s (%.2fx of cat)%n", rep,
            cpSync, put, put / cpSync, cat, read, read / cat, download, curl, curl / cat);
      }
    }
    double[] m = new double[6];
    for (int i = 0; i < m.length; i++) {
      int col = i;
      m[i] = rows.stream().mapToDouble(r -> r[col]).sorted().toArray()[rows.size() / 2];
    }
    System.out.printf(Locale.ROOT, "median of %d, %d MiB: cp+sync %.0f MB/s, put %.0f MB/s, put/cp+sync %.2f;"
        + " cat %.0f MB/s, read %.0f MB/s, read/cat %.2f; HTTP download (JDK client) %.0f MB/s, (curl) %.0f MB/s,"
        + " curl/cat %.2f%n", repetitions, bytes >> 20, m[0], m[1], m[1] / m[0], m[2], m[3], m[3] / m[2], m[4], m[5],
        m[5] / m[2]);
  }

  private static void bigPut(Path work, long bytes) throws Exception {
    Path root = work.resolve("storage-big");
    try (BinaryBackend backend = open(root)) {
      long start = System.nanoTime();
      StoredBinary stored = backend.put(ORG, KEY, new Generated(bytes));
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "put of %d MiB (unknown length, generated) with max heap %d MiB: stored %d bytes,"
          + " sha256 %s, %.1f s, %.0f MB/s%n", bytes >> 20, Runtime.getRuntime().maxMemory() >> 20, stored.size(),
          stored.sha256(), seconds, bytes / seconds / 1e6);
      backend.delete(ORG, KEY);
    }
  }

  private static Path storedFile(Path root) throws IOException {
    try (var files = Files.walk(root.resolve("objects"))) {
      return files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
  }

  private static void writeSource(Path source, long bytes) throws IOException {
    if (Files.exists(source) && Files.size(source) == bytes) {
      return;
    }
    try (OutputStream out = Files.newOutputStream(source); InputStream in = new Generated(bytes)) {
      in.transferTo(out);
    }
  }

  private static void drain(InputStream in, long expected) throws IOException {
    byte[] buffer = new byte[1 << 20];
    long total = 0;
    for (int n; (n = in.read(buffer)) >= 0; ) {
      total += n;
    }
    if (total != expected) {
      throw new IllegalStateException("read " + total + " of " + expected);
    }
  }

  private interface Action {
    void run() throws Exception;
  }

  private static long time(Action action) throws Exception {
    long start = System.nanoTime();
    action.run();
    return System.nanoTime() - start;
  }

  private static double mbps(long bytes, long nanos) {
    return bytes / (nanos / 1e9) / 1e6;
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue());
    }
  }

  /** Incompressible pseudo-random bytes of a given length, generated as they are read. */
  private static final class Generated extends InputStream {
    private final long size;
    private long position;
    private long state = 0x2545F4914F6CDD1DL;

    Generated(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      int i = 0;
      for (; i + 8 <= n; i += 8) {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        long s = state;
        for (int j = 0; j < 8; j++) {
          b[off + i + j] = (byte) (s >>> (8 * j));
        }
      }
      for (; i < n; i++) {
        b[off + i] = (byte) (state >>> (8 * (i & 7)));
      }
      position += n;
      return n;
    }
  }
}
