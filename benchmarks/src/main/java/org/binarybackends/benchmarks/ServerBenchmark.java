package org.binarybackends.benchmarks;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.defaultstore.DefaultStorageProvider;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;

/**
 * The embedded download server under device traffic, beside nginx ({@code benchmarks/server.sh}
 * runs it; not part of the tests).
 *
 * <ul>
 *   <li>{@code serve WORK PORT}: stores a 1 GiB and a 1 MiB binary, writes the same bytes as plain
 *       files for nginx under {@code WORK/plain}, writes the signed URLs to {@code WORK/urls.txt}
 *       and serves until killed.
 *   <li>{@code load BIG_URL SMALL_URL SLOW FAST SECONDS}: one thread, one selector: {@code SLOW}
 *       connections reading {@code BIG_URL} at 1 KiB/s each through a 4 KiB receive buffer (so the
 *       kernel cannot absorb the slowness), and {@code FAST} keep-alive connections fetching
 *       {@code SMALL_URL} over and over; prints the fast clients' time to first byte (p50, p99,
 *       max), their completed downloads, and how many slow readers were still being served.
 *   <li>{@code aborts WORK COUNT}: in one JVM, {@code COUNT} downloads of a 32 MiB binary abandoned
 *       after a few KiB; the heap after a full GC before and after, the connections left open, and
 *       one full download checked by its SHA-256.
 * </ul>
 */
public final class ServerBenchmark {
  private static final OrganizationId ORG = OrganizationId.of("bench-org");
  private static final Secret KEY = Secret.ofBytes("benchmark-0123456789abcdef0123456789ab".getBytes(StandardCharsets.UTF_8));

  private static final int WARM_UP_SECONDS = 5;

  private ServerBenchmark() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "serve" -> serve(Path.of(args[1]), Integer.parseInt(args[2]));
      case "load" -> load(URI.create(args[1]), URI.create(args[2]), Integer.parseInt(args[3]),
          Integer.parseInt(args[4]), Integer.parseInt(args[5]));
      case "aborts" -> aborts(Path.of(args[1]), Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException("serve, load or aborts");
    }
  }

  /** One event-loop thread: the server is pinned to one core, as nginx with one worker is. */
  private static BinaryBackend start(Path root, int port) {
    return new DefaultStorageProvider().create(DefaultStorageSettings.builder().root(root)
        .rootId(Secret.of("0123456789abcdef0123456789abcdef")) // fixed: a benchmark reopens its work directory
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", port)).addSigningKey(SigningKey.of("k1", KEY))
        .ioThreads(1).build(), BackendContext.defaults());
  }

  private static void serve(Path work, int port) throws Exception {
    BinaryBackend backend = start(work.resolve("storage"), port);
    Path plain = Files.createDirectories(work.resolve("plain"));
    List<String> urls = new ArrayList<>();
    for (String[] b : new String[][] {{"big.bin", Long.toString(1L << 30)}, {"small.bin", Long.toString(1 << 20)}}) {
      long size = Long.parseLong(b[1]);
      backend.put(ORG, ObjectKey.of(b[0]), new GeneratedContent(7, size));
      try (InputStream in = new GeneratedContent(7, size)) {
        Files.copy(in, plain.resolve(b[0]));
      }
      urls.add(backend.signDownloadUrl(ORG, ObjectKey.of(b[0]), Duration.ofDays(1)).uri().toString());
    }
    Files.write(work.resolve("urls.txt"), urls);
    System.out.println("READY pid " + ProcessHandle.current().pid());
    Thread.currentThread().join(); // until killed
  }

  /** One connection of the load generator: its request, and what it has read of the answer. */
  private static final class Client {
    final boolean slow;
    final byte[] request;
    long sentAt;
    long firstByteAt;
    long bodyLeft = -1;
    final StringBuilder head = new StringBuilder();
    boolean done;

    Client(boolean slow, URI url) {
      this.slow = slow;
      String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
      this.request = ("GET " + target + " HTTP/1.1\r\nHost: " + url.getHost() + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
    }
  }

  private static void load(URI big, URI small, int slowCount, int fastCount, int seconds) throws Exception {
    Selector selector = Selector.open();
    List<Client> slow = new ArrayList<>();
    for (int i = 0; i < slowCount + fastCount; i++) {
      boolean isSlow = i < slowCount;
      URI url = isSlow ? big : small;
      SocketChannel ch = SocketChannel.open();
      if (isSlow) {
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
      }
      ch.connect(new InetSocketAddress(url.getHost(), url.getPort()));
      ch.configureBlocking(false);
      Client c = new Client(isSlow, url);
      ch.register(selector, isSlow ? 0 : SelectionKey.OP_READ, c);
      send(ch, c);
      if (isSlow) {
        slow.add(c);
      }
    }
    long[] ttfb = new long[1 << 22];
    int samples = 0;
    long fastDone = 0;
    ByteBuffer buffer = ByteBuffer.allocateDirect(256 << 10);
    ByteBuffer trickle = ByteBuffer.allocateDirect(128);
    long started = System.nanoTime();
    // the first seconds (2,000 connections opening at once, a JIT warming up) are not measured
    long measureFrom = started + Duration.ofSeconds(WARM_UP_SECONDS).toNanos();
    long end = started + Duration.ofSeconds(seconds).toNanos();
    long nextTick = System.nanoTime();
    while (System.nanoTime() < end) {
      selector.select(10);
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        Client c = (Client) key.attachment();
        SocketChannel ch = (SocketChannel) key.channel();
        buffer.clear();
        int n = ch.read(buffer);
        if (n < 0) {
          key.cancel();
          ch.close();
          continue;
        }
        if (readResponse(c, buffer.flip(), System.nanoTime())) {
          if (c.sentAt >= measureFrom) {
            ttfb[samples++ % ttfb.length] = c.firstByteAt - c.sentAt;
            fastDone++;
          }
          send(ch, c); // the next download on the same connection
        }
      }
      if (System.nanoTime() >= nextTick) {
        // every slow reader reads 128 bytes every 125 ms: 1 KiB/s
        nextTick += Duration.ofMillis(125).toNanos();
        for (SelectionKey key : selector.keys()) {
          Client c = (Client) key.attachment();
          if (c.slow && key.isValid()) {
            trickle.clear();
            int n = ((SocketChannel) key.channel()).read(trickle);
            if (n < 0) {
              c.done = true;
              key.cancel();
            } else if (n > 0) {
              readResponse(c, trickle.flip(), System.nanoTime());
            }
          }
        }
      }
    }
    long[] sorted = Arrays.copyOf(ttfb, Math.min(samples, ttfb.length));
    Arrays.sort(sorted);
    long stillServed = slow.stream().filter(c -> !c.done && c.firstByteAt > 0).count();
    System.out.printf("fast: %d downloads of 1 MiB in the last %d s; time to first byte p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        fastDone, seconds - WARM_UP_SECONDS, pct(sorted, 0.50), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    System.out.printf("slow: %d of %d readers still being served at 1 KiB/s%n", stillServed, slowCount);
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
  }

  private static void send(SocketChannel ch, Client c) throws Exception {
    c.sentAt = System.nanoTime();
    c.firstByteAt = 0;
    c.bodyLeft = -1;
    c.head.setLength(0);
    ByteBuffer b = ByteBuffer.wrap(c.request);
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /** Consumes bytes of a response; true when a fast client's response is complete. */
  private static boolean readResponse(Client c, ByteBuffer bytes, long now) {
    if (c.firstByteAt == 0 && bytes.hasRemaining()) {
      c.firstByteAt = now;
    }
    while (c.bodyLeft < 0 && bytes.hasRemaining()) {
      c.head.append((char) bytes.get());
      int end = c.head.indexOf("\r\n\r\n");
      if (end >= 0) {
        String h = c.head.toString().toLowerCase();
        int at = h.indexOf("content-length:");
        c.bodyLeft = Long.parseLong(h.substring(at + 15, h.indexOf('\r', at)).trim());
      }
    }
    if (c.bodyLeft >= 0) {
      c.bodyLeft -= bytes.remaining();
      bytes.position(bytes.limit());
      return !c.slow && c.bodyLeft <= 0;
    }
    return false;
  }

  private static void aborts(Path work, int count) throws Exception {
    try (BinaryBackend backend = start(work.resolve("aborts"), 0)) {
      StoredBinary big = backend.put(ORG, ObjectKey.of("big.bin"), new GeneratedContent(3, 32 << 20));
      URI url = backend.signDownloadUrl(ORG, ObjectKey.of("big.bin"), Duration.ofHours(1)).uri();
      fetch(url, 1 << 20); // warm up: classes loaded, buffers pooled
      long before = heapAfterGc();
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        fetch(url, 4096 + i % 4096);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      java.lang.reflect.Method open = backend.getClass().getDeclaredMethod("openDownloadConnections");
      open.setAccessible(true);
      while ((int) open.invoke(backend) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long after = heapAfterGc();
      Sha256Digest whole = fetchWhole(url);
      System.out.printf("aborts: %d in %.1f s; heap after full GC %.1f MiB before, %.1f MiB after (%+.1f%%);"
              + " open connections after: %d; next download whole: %s%n", count, secs, before / 1048576.0,
          after / 1048576.0, 100.0 * (after - before) / before, (int) open.invoke(backend),
          whole.equals(big.sha256()) ? "yes, SHA-256 matches" : "NO");
    }
  }

  private static void fetch(URI url, int bytes) throws Exception {
    try (Socket s = new Socket(url.getHost(), url.getPort())) {
      OutputStream out = s.getOutputStream();
      out.write(("GET " + url.getRawPath() + "?" + url.getRawQuery() + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      s.getInputStream().readNBytes(bytes);
      s.setSoLinger(true, 0);
    }
  }

  private static Sha256Digest fetchWhole(URI url) throws Exception {
    try (Socket s = new Socket(url.getHost(), url.getPort())) {
      s.getOutputStream().write(("GET " + url.getRawPath() + "?" + url.getRawQuery()
          + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      int state = 0;
      while (state < 4) {
        int c = in.read();
        state = (c == '\r' && state % 2 == 0) || (c == '\n' && state % 2 == 1) ? state + 1 : 0;
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
      return Sha256Digest.of(sha);
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
