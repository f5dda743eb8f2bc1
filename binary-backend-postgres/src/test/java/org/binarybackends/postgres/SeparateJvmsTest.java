package org.binarybackends.postgres;

import org.binarybackends.testkit.LocalSts;
import org.binarybackends.testkit.s3.EmbeddedS3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.Transition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three service instances in separate JVMs on one PostgreSQL schema, with the platform's bucket (on
 * the test's S3 server) as their default storage and one storage directory as the organization's
 * own, as three hosts behind a load balancer: the test uploads through every instance to the
 * platform's bucket, registers an organization, makes its storage verifiable, uploads through every
 * instance, kills the one holding a check lease, registers from two at once, drops every database
 * connection under load, and finds the organization's quota usage counted once across them all.
 */
class SeparateJvmsTest {
  private static final long LEASE_MILLIS = 2_000;

  @TempDir
  Path base;
  private final List<Instance> instances = new ArrayList<>();

  /** One JVM, driven a line at a time. */
  private static final class Instance {
    final Process process;
    final PrintStream in;
    final BlockingQueue<String> out = new ArrayBlockingQueue<>(1000);
    final long pid;

    Instance(Process process) throws Exception {
      this.process = process;
      this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            if (line.startsWith("> ")) {
              out.add(line.substring(2));
            } else {
              System.err.println("[instance " + process.pid() + "] " + line);
            }
          }
        } catch (IOException e) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      String ready = next();
      assertThat(ready).startsWith("ready ");
      this.pid = Long.parseLong(ready.substring("ready ".length()));
    }

    String next() throws InterruptedException {
      String line = out.poll(60, TimeUnit.SECONDS);
      if (line == null) {
        throw new AssertionError("no answer from instance " + process.pid());
      }
      return line;
    }

    String ask(String command) throws InterruptedException {
      in.println(command);
      return next();
    }
  }

  private EmbeddedPostgres server;
  private LocalSts sts;
  private EmbeddedS3 s3;

  @AfterEach
  void stop() throws IOException {
    for (Instance i : instances) {
      i.process.destroyForcibly();
    }
    if (server != null) {
      server.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (sts != null) {
      sts.close();
    }
  }

  /**
   * A PostgreSQL of this test's own, on a data directory and port that outlive it: the test stops
   * and starts it again under load, as a database restart does.
   */
  private static EmbeddedPostgres startServer(Path data, int port) throws IOException {
    PostgresFixture.checkPreconditions();
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
        .setServerConfig("synchronous_commit", "on").start();
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean eventually(BooleanSupplier condition) {
    return PostgresFixture.eventually(Duration.ofSeconds(60), condition);
  }

  private static boolean allCustom(List<Instance> running) {
    try {
      for (Instance i : running) {
        if (!i.ask("custom").equals("true")) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private List<String> verifies() {
    try {
      Path log = base.resolve("verifies.log");
      return Files.exists(log) ? Files.readAllLines(log) : List.of();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void threeInstancesShareOneDatabaseAndOneStorage() throws Exception {
    String schema = "jvms";
    Path data = base.resolve("pgdata");
    int port = freePort();
    server = startServer(data, port);
    String url = server.getJdbcUrl("postgres", "postgres");
    // by URL, as the instances connect: it outlives the server's restart below
    PostgresStateStore store = PostgresStateStore.builder().dataSource(new InstanceMain.UrlDataSource(url, "postgres"))
        .keys(PostgresFixture.KEYS).schema(schema).build();
    // the platform's bucket, which every instance reaches with the platform's long-lived keys
    sts = LocalSts.start();
    s3 = EmbeddedS3.start(base.resolve("s3"), sts);
    s3.addStaticIdentity(InstanceMain.ACCESS_KEY, InstanceMain.SECRET_KEY, InstanceMain.PLATFORM_USER);
    s3.createBucket("platform-binaries", InstanceMain.PLATFORM_USER, InstanceMain.PLATFORM_ACCOUNT);
    for (int i = 0; i < 3; i++) {
      instances.add(new Instance(new ProcessBuilder(InstanceMain.command(url, "postgres", schema, base,
          "instance-" + i, LEASE_MILLIS, s3.endpoint().toString(), "platform-binaries"))
          .redirectError(ProcessBuilder.Redirect.INHERIT).start()));
    }
    for (Instance i : instances) {
      assertThat(i.ask("upload fw/before-" + i.pid + ".bin")).isEqualTo("stored platform");
    }
    long platformBytes = instances.stream().mapToLong(i -> ("fw/before-" + i.pid + ".bin").length()).sum();
    for (Instance i : instances) {
      assertThat(i.ask("usage")).as("the quota ledger, one across the instances").isEqualTo("3 " + platformBytes + " 0");
    }

    // registered, not verifiable yet: every instance keeps uploading to the default storage
    assertThat(instances.get(0).ask("register bucket-1")).isEqualTo("ok");
    assertThat(eventually(() -> verifies().size() >= 2)).isTrue();
    assertThat(instances.get(1).ask("custom")).isEqualTo("false");
    Files.createFile(base.resolve("ok-bucket-1"));
    long verifiable = System.nanoTime();
    assertThat(eventually(() -> allCustom(instances))).as("the switch reaches all three").isTrue();
    System.err.printf("switch seen by all three instances %d ms after the storage became verifiable%n",
        (System.nanoTime() - verifiable) / 1_000_000);
    for (Instance i : instances) {
      assertThat(i.ask("upload fw/after-" + i.pid + ".bin")).isEqualTo("stored bucket-1");
    }
    for (Instance reader : instances) {
      for (Instance writer : instances) {
        assertThat(reader.ask("read platform fw/before-" + writer.pid + ".bin")).isEqualTo("fw/before-" + writer.pid + ".bin");
        assertThat(reader.ask("read bucket-1 fw/after-" + writer.pid + ".bin")).isEqualTo("fw/after-" + writer.pid + ".bin");
      }
    }

    // each scheduled check once across the three: over five active intervals, about five checks,
    // never one per instance per interval (fifteen)
    int before = verifies().size();
    long start = System.nanoTime();
    assertThat(eventually(() -> System.nanoTime() - start > Duration.ofSeconds(5).toNanos())).isTrue();
    assertThat(verifies().size() - before).isBetween(1, 5 + 2);

    // the instance holding the lease is killed in the middle of a check: another takes over
    Files.createFile(base.resolve("hold-bucket-1"));
    int held = verifies().size();
    assertThat(eventually(() -> verifies().size() > held)).isTrue();
    long holder = Long.parseLong(verifies().get(held).split(" ")[1]);
    Instance killed = instances.stream().filter(i -> i.pid == holder).findFirst().orElseThrow();
    killed.process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    long killedAt = System.nanoTime();
    List<Instance> alive = new ArrayList<>(instances);
    alive.remove(killed);
    assertThat(eventually(() -> verifies().stream().skip(held + 1).anyMatch(l -> !l.endsWith(" " + holder))))
        .as("another instance took the lapsed lease").isTrue();
    System.err.printf("lease holder killed; another instance checking %d ms later (lease %d ms)%n",
        (System.nanoTime() - killedAt) / 1_000_000, LEASE_MILLIS);
    Files.delete(base.resolve("hold-bucket-1"));

    // two instances registering at once: both stored, one after the other, nothing lost
    long version = store.get(InstanceMain.ORG).orElseThrow().version();
    alive.get(0).in.println("register bucket-2");
    alive.get(1).in.println("register bucket-3");
    assertThat(alive.get(0).next()).isEqualTo("ok");
    assertThat(alive.get(1).next()).isEqualTo("ok");
    List<Transition> trail = store.auditTrail(InstanceMain.ORG);
    assertThat(trail).filteredOn(t -> t.change().startsWith("staged a change")).extracting(Transition::actor)
        .containsExactlyInAnyOrder("instance-" + instances.indexOf(alive.get(0)), "instance-" + instances.indexOf(alive.get(1)));
    assertThat(store.get(InstanceMain.ORG).orElseThrow().version()).isGreaterThanOrEqualTo(version + 2);

    // the database restarted under load: stopped (every connection dropped) and started on its data
    OrganizationState beforeRestart = store.get(InstanceMain.ORG).orElseThrow();
    server.close();
    server = startServer(data, port);
    // nothing lost: what was stored is still there (a check may have stored more meanwhile)
    OrganizationState afterRestart = store.get(InstanceMain.ORG).orElseThrow();
    assertThat(afterRestart.version()).isGreaterThanOrEqualTo(beforeRestart.version());
    assertThat(afterRestart.history()).containsSubsequence(beforeRestart.history());
    assertThat(afterRestart.active().map(c -> c.id())).isEqualTo(beforeRestart.active().map(c -> c.id()));
    int checksBefore = verifies().size();
    for (Instance i : alive) {
      assertThat(i.ask("upload fw/after-restart-" + i.pid + ".bin")).isEqualTo("stored bucket-1");
      assertThat(i.ask("custom")).isEqualTo("true");
    }
    assertThat(eventually(() -> verifies().size() > checksBefore + 2)).as("checks go on, on new connections").isTrue();
    assertThat(alive.get(0).ask("register bucket-4")).as("and commands").isEqualTo("ok");

    // no transition lost or doubled across all of it
    trail = store.auditTrail(InstanceMain.ORG);
    Set<String> seen = new HashSet<>();
    for (Transition t : trail) {
      assertThat(seen.add(t.at() + " " + t.change())).as("once: " + t).isTrue();
    }
    assertThat(trail).filteredOn(t -> t.change().startsWith("switched to")).hasSize(1);
    assertThat(trail).hasSameSizeAs(store.get(InstanceMain.ORG).orElseThrow().history());
    for (Instance i : alive) {
      assertThat(i.ask("usage")).as("counted once, through the kill and the restart").isEqualTo("3 " + platformBytes
          + " 0");
      assertThat(i.ask("quit")).isEqualTo("bye");
    }
  }
}
