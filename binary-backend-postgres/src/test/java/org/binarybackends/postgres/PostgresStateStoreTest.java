package org.binarybackends.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CorruptStateException;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StateConflictException;
import org.binarybackends.activation.StateKey;
import org.binarybackends.activation.Transition;
import org.binarybackends.testkit.ControlledPlatform;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store does beyond the contract: its schema, its audit trail, and bad databases. */
class PostgresStateStoreTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");

  private static OrganizationState withTransitions(OrganizationState s, int from, int count) {
    OrganizationState out = s;
    for (int i = from; i < from + count; i++) {
      out = out.with(new Transition(Instant.parse("2026-12-01T12:00:00.123456789Z").plusSeconds(i), "alice",
          "change " + i, "reason " + i));
    }
    return out;
  }

  @Test
  void theAuditTrailKeepsEveryTransitionOnceWhileTheStateKeepsItsRecentHistory() {
    PostgresStateStore store = PostgresFixture.store();
    OrganizationState s = store.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 3));
    for (int round = 1; round < 100; round++) { // 300 transitions: more than a state keeps
      s = store.compareAndSet(s.version(), withTransitions(s, round * 3, 3));
    }
    List<Transition> trail = store.auditTrail(ORG);
    assertThat(trail).hasSize(300);
    assertThat(trail).extracting(Transition::change).doesNotHaveDuplicates().first().isEqualTo("change 0");
    assertThat(trail.get(299).change()).isEqualTo("change 299");
    assertThat(store.get(ORG).orElseThrow().history()).hasSize(OrganizationState.MAX_HISTORY).last()
        .extracting(Transition::change).isEqualTo("change 299");
    // a write that adds no transition adds no audit row
    store.compareAndSet(s.version(), s.withFallbackAllowed(true));
    assertThat(store.auditTrail(ORG)).hasSize(300);
  }

  @Test
  void twoServiceInstancesOnOneDatabaseRegisteringAtOnceLoseNoTransition() throws Exception {
    try (ControlledPlatform platform = ControlledPlatform.start(PostgresFixture.store(),
        ActivationPolicy.builder().jitter(0).allowedTypes("controlled").build(), ControlledPlatform.DEFAULT_CLOSE_GRACE)) {
      var instances = List.of(platform.binaries(), platform.anotherInstance());
      ExecutorService threads = Executors.newFixedThreadPool(2);
      try {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          var binaries = instances.get(i);
          String actor = "instance-" + i;
          done.add(threads.submit(() -> {
            go.await();
            for (int n = 0; n < 20; n++) {
              binaries.register(ORG, ControlledPlatform.settings(n % 2 == 0 ? "bucket-1" : "bucket-2"), actor);
            }
            return null;
          }));
        }
        go.countDown();
        for (Future<?> f : done) {
          f.get(2, TimeUnit.MINUTES);
        }
      } finally {
        threads.shutdownNow();
      }
      OrganizationState s = platform.store().get(ORG).orElseThrow();
      assertThat(s.version()).isEqualTo(40);
      List<Transition> trail = ((PostgresStateStore) platform.store()).auditTrail(ORG);
      assertThat(trail).hasSize(40);
      assertThat(trail.stream().filter(t -> t.actor().equals("instance-0"))).hasSize(20);
    }
  }

  @Test
  void aConflictChangesNothing() {
    PostgresStateStore store = PostgresFixture.store();
    OrganizationState first = store.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 1));
    assertThatThrownBy(() -> store.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 5, 1)))
        .isInstanceOfSatisfying(StateConflictException.class, e -> assertThat(e.actual()).isEqualTo(1));
    assertThatThrownBy(() -> store.compareAndSet(7, withTransitions(first, 9, 1)))
        .isInstanceOf(StateConflictException.class);
    assertThat(store.get(ORG)).hasValue(first);
    assertThat(store.auditTrail(ORG)).extracting(Transition::change).containsExactly("change 0");
  }

  @Test
  void aSealedValueThatDoesNotDecryptIsCorruptNamingTheCauseNeverTheSecret() {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore store = PostgresFixture.onSchema(schema).build();
    SettingsJson secretSettings = SettingsJson.of("{\"type\":\"s3\",\"bucket\":\"b\",\"secret\":\"hunter2\"}");
    OrganizationState s = OrganizationState.initial(ORG).withStaged(Optional.of(
        new org.binarybackends.activation.StorageConfiguration("cfg-1", secretSettings,
            org.binarybackends.BackendInstanceId.of("s3", java.util.Map.of("bucket", "b")), Optional.empty(),
            org.binarybackends.activation.PartState.pending(), org.binarybackends.activation.PartState.pending(),
            Instant.parse("2026-12-01T12:00:00Z"))));
    store.compareAndSet(0, s);
    PostgresStateStore otherKey = PostgresStateStore.builder().dataSource(PostgresFixture.dataSource())
        .keys(List.of(new StateKey("k2", Secret.ofBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})))).schema(schema).build();
    assertThatThrownBy(() -> otherKey.get(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("k1").hasMessageNotContaining("hunter2");
    // tampered with in the database: the ciphertext no longer authenticates
    PostgresFixture.execute("UPDATE " + schema + ".organization_state SET document = jsonb_set(document::jsonb,"
        + " '{organization}', '\"org-b\"')::text");
    assertThatThrownBy(() -> store.get(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void badSchemaNamesAndSettingsAreRefusedBeforeTheDatabaseIsTouched() {
    for (String bad : List.of("x\"; DROP SCHEMA public CASCADE; --", "Upper", "pg_catalog", "", "a-b",
        "a".repeat(51))) {
      assertThatThrownBy(() -> PostgresStateStore.builder().dataSource(PostgresFixture.dataSource())
          .keys(PostgresFixture.KEYS).schema(bad).build()).isInstanceOfSatisfying(InvalidConfigurationException.class,
              e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("schema"));
    }
    assertThatThrownBy(() -> PostgresStateStore.builder().schema("ok").timeouts(java.time.Duration.ZERO,
        java.time.Duration.ofSeconds(1)).build()).isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field())
                .containsExactly("dataSource", "keys", "timeouts.statement"));
  }

  @Test
  void validateOnlyRefusesASchemaTooOldOrTooNewAndRunsAgainstOneVersionNewer() throws Exception {
    String schema = PostgresFixture.freshSchema();
    assertThatThrownBy(() -> PostgresFixture.onSchema(schema).schemaMode(SchemaMode.VALIDATE).build())
        .isInstanceOf(BinaryBackendException.class).hasMessageContaining("at version 0")
        .hasMessageContaining("needs version " + PostgresSchema.VERSION).hasMessageContaining("SchemaMode.MIGRATE");
    // a DBA applies the printed SQL by hand; then validation passes
    try (Connection c = PostgresFixture.dataSource().getConnection(); Statement s = c.createStatement()) {
      for (String sql : PostgresSchema.statements(PostgresSchema.sql(schema))) {
        s.execute(sql);
      }
    }
    PostgresFixture.onSchema(schema)
        .schemaMode(SchemaMode.VALIDATE).build().compareAndSet(0, OrganizationState.initial(ORG));
    PostgresFixture.execute("INSERT INTO " + schema + ".schema_version (version, applied_by) VALUES ("
        + (PostgresSchema.VERSION + 1) + ", 'the next version')");
    PostgresStateStore newer = PostgresFixture.onSchema(schema).build();
    assertThat(newer.get(ORG)).isPresent();
    PostgresFixture.execute("INSERT INTO " + schema + ".schema_version (version, applied_by) VALUES ("
        + (PostgresSchema.VERSION + 2) + ", 'two versions on')");
    for (SchemaMode mode : List.of(SchemaMode.VALIDATE, SchemaMode.MIGRATE)) {
      assertThatThrownBy(() -> PostgresFixture.onSchema(schema).schemaMode(mode).build())
          .isInstanceOf(BinaryBackendException.class).hasMessageContaining("newer than this library runs against")
          .hasMessageContaining("upgrade the library");
    }
  }

  @Test
  void instancesStartingTogetherMigrateOnce() throws Exception {
    String schema = PostgresFixture.freshSchema();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<PostgresStateStore>> opened = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opened.add(threads.submit(() -> {
          go.await();
          return PostgresFixture.onSchema(schema).build();
        }));
      }
      go.countDown();
      for (Future<PostgresStateStore> f : opened) {
        assertThat(f.get(1, TimeUnit.MINUTES).organizations()).isEmpty();
      }
    } finally {
      threads.shutdownNow();
    }
    try (Connection c = PostgresFixture.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM " + schema + ".schema_version")) {
      r.next();
      assertThat(r.getInt(1)).isEqualTo(PostgresSchema.VERSION);
    }
  }

  @Test
  void aRoleWithoutPrivilegesAndAReadOnlyDatabaseGetTypedErrorsAndTheStateStaysServed() {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore owner = PostgresFixture.onSchema(schema).build();
    OrganizationState kept = owner.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 1));
    String role = "reader_" + schema;
    PostgresFixture.execute("CREATE ROLE " + role + " LOGIN PASSWORD 'pw'");
    PostgresFixture.execute("GRANT USAGE ON SCHEMA " + schema + " TO " + role);
    PostgresFixture.execute("GRANT SELECT ON ALL TABLES IN SCHEMA " + schema + " TO " + role);
    PostgresStateStore reader = PostgresStateStore.builder().dataSource(as(role, "postgres"))
        .keys(PostgresFixture.KEYS).schema(schema).schemaMode(SchemaMode.VALIDATE).build();
    assertThat(reader.get(ORG)).hasValue(kept);
    assertThatThrownBy(() -> reader.compareAndSet(1, withTransitions(kept, 1, 1)))
        .isInstanceOf(AccessDeniedException.class).hasMessageContaining("42501").hasMessageContaining(schema)
        .hasMessageNotContaining("pw");

    String database = "ro_" + schema;
    PostgresFixture.execute("CREATE DATABASE " + database);
    javax.sql.DataSource readOnly = as("postgres", database);
    PostgresStateStore.builder().dataSource(readOnly).keys(PostgresFixture.KEYS).schema(schema).build();
    PostgresFixture.execute("ALTER DATABASE " + database + " SET default_transaction_read_only = on");
    PostgresStateStore onStandby = PostgresStateStore.builder().dataSource(readOnly).keys(PostgresFixture.KEYS)
        .schema(schema).schemaMode(SchemaMode.VALIDATE).build();
    assertThatThrownBy(() -> onStandby.compareAndSet(0, OrganizationState.initial(ORG)))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("read-only");
    assertThat(owner.get(ORG)).hasValue(kept);
  }

  @Test
  void theWrongSchemaVersionOrNoTablesAtAllIsSaidAtTheFirstCall() {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore none = PostgresFixture.onSchema(schema).schemaMode(SchemaMode.NONE).build();
    assertThatThrownBy(() -> none.get(ORG)).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("tables are missing").hasMessageContaining("PostgresSchema.sql(\"" + schema + "\")");
  }

  @Test
  void aStateTheNextVersionWroteWithFieldsThisOneDoesNotKnowIsReadNotCalledCorrupt() {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore store = PostgresFixture.onSchema(schema).build();
    OrganizationState kept = store.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 2));
    // version N+1 adds fields at the top, in a configuration's part and in a transition
    PostgresFixture.execute("UPDATE " + schema + ".organization_state SET document = jsonb_set(document::jsonb"
        + " || '{\"quota\": {\"bytes\": 1000}}', '{history,0,ticket}', '\"OPS-1\"')::text");
    assertThat(store.get(ORG)).hasValue(kept);
  }

  @Test
  void theNextVersionsAdditiveMigrationLeavesThisVersionRunning() throws Exception {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore before = PostgresFixture.onSchema(schema).build();
    OrganizationState s = before.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 1));
    // what version N+1 may do to the schema: add columns (with defaults), tables and indexes
    PostgresFixture.execute("ALTER TABLE " + schema + ".organization_state ADD COLUMN quota_bytes bigint NOT NULL"
        + " DEFAULT 0");
    PostgresFixture.execute("ALTER TABLE " + schema + ".note ADD COLUMN expires_at timestamptz");
    PostgresFixture.execute("CREATE TABLE " + schema + ".migration_run (organization text PRIMARY KEY)");
    PostgresFixture.execute("INSERT INTO " + schema + ".schema_version (version, applied_by) VALUES ("
        + (PostgresSchema.VERSION + 1) + ", 'binary-backends next')");
    PostgresStateStore during = PostgresFixture.onSchema(schema).schemaMode(SchemaMode.VALIDATE).build();
    OrganizationState next = during.compareAndSet(s.version(), withTransitions(s, 1, 1));
    assertThat(during.get(ORG)).hasValue(next);
    during.checkSoon(ORG);
    var lease = during.claimDue("instance-n", 10, java.time.Duration.ofSeconds(30)).get(0);
    during.complete(lease, next.version(), Optional.empty(), Optional.of(java.time.Duration.ofMinutes(15)), 0);
    during.compareAndSet(ORG, "cloudfront:keys", 0, Optional.of("{}"));
    assertThat(during.get(ORG, "cloudfront:keys")).isPresent();
    assertThat(during.auditTrail(ORG)).hasSize(2);
  }

  @Test
  void aConnectionDroppedInTheMiddleOfAWriteWritesNothingAndTheStateStaysServed() throws Exception {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore healthy = PostgresFixture.onSchema(schema).build();
    OrganizationState kept = healthy.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 1));
    PostgresStateStore dropping = PostgresStateStore.builder().dataSource(droppedBeforeCommit())
        .keys(PostgresFixture.KEYS).schema(schema).schemaMode(SchemaMode.NONE).build();
    assertThatThrownBy(() -> dropping.compareAndSet(1, withTransitions(kept, 1, 1)))
        .isInstanceOfSatisfying(BackendUnavailableException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("terminating connection");
    assertThat(healthy.get(ORG)).hasValue(kept);
    assertThat(healthy.auditTrail(ORG)).hasSize(1);
    assertThat(healthy.compareAndSet(1, withTransitions(kept, 1, 1)).version()).isEqualTo(2);
  }

  /**
   * Connections whose server process is terminated (as by a failover or an operator) right before
   * the transaction commits: everything it did is rolled back by the server.
   */
  private static javax.sql.DataSource droppedBeforeCommit() {
    javax.sql.DataSource real = PostgresFixture.dataSource();
    return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(PostgresStateStoreTest.class.getClassLoader(),
        new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
          if (!method.getName().equals("getConnection")) {
            return method.invoke(real, args);
          }
          Connection c = real.getConnection();
          int pid;
          try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_backend_pid()")) {
            r.next();
            pid = r.getInt(1);
          }
          return java.lang.reflect.Proxy.newProxyInstance(PostgresStateStoreTest.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (m.getName().equals("commit")) {
                  PostgresFixture.execute("SELECT pg_terminate_backend(" + pid + ")");
                }
                try {
                  return m.invoke(c, a);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });
        });
  }

  @Test
  void aSerializationFailureOrADeadlockIsRunAgainAndAnyOtherFailureIsNot() throws Exception {
    String schema = PostgresFixture.freshSchema();
    PostgresStateStore healthy = PostgresFixture.onSchema(schema).build();
    OrganizationState kept = healthy.compareAndSet(0, withTransitions(OrganizationState.initial(ORG), 0, 1));
    // PostgreSQL raises these under contention it decides on; here the first two commits are told so
    java.util.concurrent.atomic.AtomicInteger commits = new java.util.concurrent.atomic.AtomicInteger();
    PostgresStateStore retried = PostgresStateStore.builder().dataSource(failingCommits(commits, 2, "40001", "40P01"))
        .keys(PostgresFixture.KEYS).schema(schema).schemaMode(SchemaMode.NONE).build();
    OrganizationState next = retried.compareAndSet(1, withTransitions(kept, 1, 1));
    assertThat(commits.get()).isEqualTo(3);
    assertThat(healthy.get(ORG)).hasValue(next);
    assertThat(healthy.auditTrail(ORG)).hasSize(2);

    commits.set(0);
    PostgresStateStore refused = PostgresStateStore.builder().dataSource(failingCommits(commits, 1, "23505"))
        .keys(PostgresFixture.KEYS).schema(schema).schemaMode(SchemaMode.NONE).build();
    assertThatThrownBy(() -> refused.compareAndSet(2, withTransitions(next, 2, 1)))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("23505");
    assertThat(commits.get()).isEqualTo(1);
    assertThat(healthy.get(ORG)).hasValue(next);
  }

  /** Connections whose first {@code failures} commits fail with the given SQLSTATEs (in turn), rolled back. */
  private static javax.sql.DataSource failingCommits(java.util.concurrent.atomic.AtomicInteger commits, int failures,
      String... states) {
    javax.sql.DataSource real = PostgresFixture.dataSource();
    return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(PostgresStateStoreTest.class.getClassLoader(),
        new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
          if (!method.getName().equals("getConnection")) {
            return method.invoke(real, args);
          }
          Connection c = real.getConnection();
          return java.lang.reflect.Proxy.newProxyInstance(PostgresStateStoreTest.class.getClassLoader(),
              new Class<?>[] {Connection.class}, (p, m, a) -> {
                if (m.getName().equals("commit")) {
                  int n = commits.incrementAndGet();
                  if (n <= failures) {
                    c.rollback();
                    throw new java.sql.SQLException("could not serialize access (test)", states[(n - 1) % states.length]);
                  }
                }
                try {
                  return m.invoke(c, a);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });
        });
  }

  /** The server trusts local connections: a role logs in by name (its password is what must not leak). */
  private static javax.sql.DataSource as(String user, String database) {
    return PostgresFixture.server().getDatabase(user, database);
  }
}
