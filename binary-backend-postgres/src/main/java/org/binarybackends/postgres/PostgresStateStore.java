package org.binarybackends.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;
import org.binarybackends.activation.CheckLease;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.LeaseLostException;
import org.binarybackends.activation.NoteMaps;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.SettingsSealer;
import org.binarybackends.activation.StateCodec;
import org.binarybackends.activation.StateChanges;
import org.binarybackends.activation.StateConflictException;
import org.binarybackends.activation.StateKey;
import org.binarybackends.activation.Transition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Organizations' activation states and backends' notes in PostgreSQL (14 and later), shared by every
 * service instance on the database: plain JDBC on the embedding service's {@link DataSource}.
 *
 * <ul>
 *   <li>A state is one row: {@link StateCodec}'s document with its settings sealed by a {@link
 *       SettingsSealer} (AES-256-GCM, organization and slot bound in), so the database never holds a
 *       secret in clear. Compare-and-set is one {@code UPDATE … WHERE organization = ? AND version =
 *       ?} (an {@code INSERT … ON CONFLICT DO NOTHING} for version 0) in one transaction with the
 *       audit rows of the transitions it adds and a {@code NOTIFY}.
 *   <li>The audit trail is kept in full in its own table, for {@link Builder#auditRetention} (the
 *       state keeps its recent history).
 *   <li>Notes are rows of their own table: an update locks only that organization's notes ({@code
 *       pg_advisory_xact_lock}, released with the transaction, so a pooler in transaction mode is fine).
 *   <li>Checks are leased in the organization's row ({@link CheckLeases}): an instance claims due
 *       organizations with {@code FOR UPDATE SKIP LOCKED} in a short transaction (holder, lease end,
 *       fencing + 1), probes outside any transaction, and stores the outcome with {@code WHERE version
 *       = ? AND fencing = ? AND lease_until > clock_timestamp()}: a lapsed lease stores nothing. Every
 *       time is the database's clock; no session-level advisory lock (a pooler would break it).
 *   <li>Every state write {@code NOTIFY}s its organization on {@link #channel()} in its own
 *       transaction; {@link #subscribe} listens on a dedicated connection of the data source (held
 *       for as long as the subscription), or, with {@link Builder#notifications notifications(false)}
 *       for a pooler in transaction mode, polls every {@link Builder#pollInterval poll interval}.
 *   <li>Every transaction sets {@code statement_timeout} and {@code lock_timeout}; serialization
 *       failures and deadlocks (SQLSTATE 40001, 40P01) are retried; any other failure rolls back, so
 *       nothing is half-written and the previous state stays served.
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} closes nothing of the data source's: it is the caller's.
 */
public final class PostgresStateStore implements OrganizationStateStore, NoteStore, CheckLeases, StateChanges {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);

  private final DataSource dataSource;
  private final String schema;
  private final String q;
  private final String channel;
  private final StateCodec codec;
  private final Duration statementTimeout;
  private final Duration lockTimeout;
  private final Duration auditRetention;
  /** Every transaction of the store. */
  final Transactions tx;
  private final StateWrites writes;
  private final boolean notifications;
  private final Duration pollInterval;
  private PostgresStateStore(Builder b, String quoted) {
    this.dataSource = b.dataSource;
    this.schema = b.schema;
    this.q = quoted;
    this.channel = "binary_backends_" + b.schema;
    this.codec = new StateCodec(SettingsSealer.of(b.keys));
    this.statementTimeout = b.statementTimeout;
    this.lockTimeout = b.lockTimeout;
    this.auditRetention = b.auditRetention;
    this.notifications = b.notifications;
    this.pollInterval = b.pollInterval;
    this.tx = new Transactions(b.dataSource, b.schema, b.statementTimeout, b.lockTimeout);
    this.writes = new StateWrites(quoted, channel);
  }

  /** A builder; the data source and the keys are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The channel every change is notified on: {@code binary_backends_<schema>}, payload {@code state:<org>} or {@code note:<org>}. */
  public String channel() {
    return channel;
  }

  // ---- states ----

  @Override
  public Optional<OrganizationState> get(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    String document = tx.run("read the state of " + organization, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT document FROM " + q
          + ".organization_state WHERE organization = ?")) {
        s.setString(1, organization.value());
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? r.getString(1) : null;
        }
      }
    });
    if (document == null) {
      return Optional.empty();
    }
    OrganizationState state = codec.decode(organization, document.getBytes(StandardCharsets.UTF_8));
    writes.remember(state);
    return Optional.of(state);
  }

  @Override
  public OrganizationState compareAndSet(long expectedVersion, OrganizationState next) {
    Objects.requireNonNull(next, "next");
    OrganizationState stored = next.withVersion(expectedVersion + 1);
    String document = new String(codec.encodeCompact(stored), StandardCharsets.UTF_8);
    String org = next.organization().value();
    OrganizationState written = tx.run("store the state of " + org, c -> {
      if (expectedVersion == 0) {
        String sql = "WITH f AS (INSERT INTO " + q + ".organization_state (organization, version, document, next_check,"
            + " last_at, last_actor, last_change, last_reason) VALUES (?, 1, ?, clock_timestamp(), ?, ?, ?, ?)"
            + " ON CONFLICT (organization) DO NOTHING RETURNING organization)" + StateWrites.AUDIT_CTE.replace("@q", q)
            + " SELECT pg_notify(?, ?) FROM f";
        List<Object> params = new ArrayList<>(List.of(org, document));
        params.addAll(StateWrites.last(stored));
        if (!writes.writeInOne(c, sql, params, stored, stored.history())) {
          throw new StateConflictException(next.organization(), expectedVersion, writes.storedVersion(c, org));
        }
        return stored;
      }
      List<Object> setParams = new ArrayList<>(List.of(expectedVersion + 1, document));
      setParams.addAll(StateWrites.last(stored));
      if (!writes.writeWithAudit(c, org, "version = ?, document = ?, " + StateWrites.LAST_SET + ", updated_at = clock_timestamp()",
          setParams, " AND t.version = ?", List.of(expectedVersion), stored, expectedVersion)) {
        throw new StateConflictException(next.organization(), expectedVersion, writes.storedVersion(c, org));
      }
      return stored;
    });
    writes.remember(written);
    return written;
  }

  /**
   * The full audit trail of {@code organization}, oldest first (within {@link
   * Builder#auditRetention}).
   */
  public List<Transition> auditTrail(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    return tx.run("read the audit trail of " + organization, c -> {
      List<Transition> out = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT at, actor, change, reason FROM " + q
          + ".organization_audit WHERE organization = ? ORDER BY id")) {
        s.setString(1, organization.value());
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            out.add(new Transition(r.getTimestamp(1).toInstant(), r.getString(2), r.getString(3), r.getString(4)));
          }
        }
      }
      return out;
    });
  }

  /**
   * Removes audit rows older than {@link Builder#auditRetention} (opening the store with {@link
   * SchemaMode#MIGRATE} does it once).
   *
   * @return how many were removed
   */
  public int purgeAudit() {
    return tx.run("purge the audit trail", c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM " + q + ".organization_audit WHERE recorded_at <"
          + " clock_timestamp() - ? * interval '1 second'")) {
        s.setLong(1, auditRetention.getSeconds());
        return s.executeUpdate();
      }
    });
  }

  @Override
  public List<OrganizationId> organizations() {
    return tx.run("list organizations", c -> {
      List<OrganizationId> out = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT organization FROM " + q + ".organization_state ORDER BY organization")) {
        while (r.next()) {
          out.add(OrganizationId.of(r.getString(1)));
        }
      }
      return out;
    });
  }

  // ---- changes ----

  @Override
  public AutoCloseable subscribe(StateChanges.Listener listener) {
    Objects.requireNonNull(listener, "listener");
    PostgresChangeFeed feed = new PostgresChangeFeed(dataSource, q, channel, notifications, pollInterval, listener);
    feed.start(statementTimeout.plus(lockTimeout));
    return feed;
  }

  // ---- check leases ----

  /** Sets the lease; {@code lease_claimed_at} is the transaction's time, {@code now()}, constant within it. */
  private static final String CLAIM_SET = " SET lease_holder = ?, lease_claimed_at = now(), lease_until ="
      + " clock_timestamp() + ? * interval '1 millisecond', fencing = o.fencing + 1";
  private static final String UNLEASED = "(o.lease_until IS NULL OR o.lease_until <= clock_timestamp())";

  @Override
  public void checkSoon(OrganizationId organization) {
    schedule(organization, "clock_timestamp()");
  }

  @Override
  public void unschedule(OrganizationId organization) {
    schedule(organization, "NULL");
  }

  private void schedule(OrganizationId organization, String next) {
    Objects.requireNonNull(organization, "organization");
    tx.run("schedule the check of " + organization, c -> {
      try (PreparedStatement s = c.prepareStatement("UPDATE " + q + ".organization_state SET next_check = " + next
          + ", check_attempts = 0 WHERE organization = ?")) {
        s.setString(1, organization.value());
        return s.executeUpdate();
      }
    });
  }

  @Override
  public List<CheckLease> claimDue(String holder, int max, Duration leaseFor) {
    Objects.requireNonNull(holder, "holder");
    return tx.run("claim due checks", c -> {
      try (PreparedStatement s = c.prepareStatement("WITH due AS (SELECT organization FROM " + q
          + ".organization_state o WHERE o.next_check <= now() AND " + UNLEASED
          + " ORDER BY o.next_check LIMIT ? FOR UPDATE SKIP LOCKED) UPDATE " + q + ".organization_state o" + CLAIM_SET
          + " FROM due WHERE o.organization = due.organization RETURNING o.organization, o.fencing, o.check_attempts")) {
        s.setInt(1, Math.max(0, max));
        s.setString(2, holder);
        s.setLong(3, leaseFor.toMillis());
        return leases(s, holder);
      }
    });
  }

  @Override
  public Optional<CheckLease> claim(OrganizationId organization, String holder, Duration leaseFor) {
    Objects.requireNonNull(organization, "organization");
    return tx.run("claim the check of " + organization, c -> {
      // due now while leased, so that a check asked for meanwhile is told from this one (see complete)
      try (PreparedStatement s = c.prepareStatement("UPDATE " + q + ".organization_state o" + CLAIM_SET
          + ", next_check = least(o.next_check, now()) WHERE o.organization = ? AND " + UNLEASED
          + " RETURNING o.organization, o.fencing, o.check_attempts")) {
        s.setString(1, holder);
        s.setLong(2, leaseFor.toMillis());
        s.setString(3, organization.value());
        return leases(s, holder).stream().findFirst();
      }
    });
  }

  private static List<CheckLease> leases(PreparedStatement s, String holder) throws SQLException {
    List<CheckLease> out = new ArrayList<>();
    try (ResultSet r = s.executeQuery()) {
      while (r.next()) {
        out.add(new CheckLease(OrganizationId.of(r.getString(1)), holder, r.getLong(2), r.getInt(3)));
      }
    }
    return out;
  }

  @Override
  public Optional<OrganizationState> complete(CheckLease lease, long expectedVersion, Optional<OrganizationState> next,
      Optional<Duration> nextCheckIn, int attempts) {
    Objects.requireNonNull(lease, "lease");
    Optional<OrganizationState> stored = next.map(n -> n.withVersion(expectedVersion + 1));
    Optional<String> document = stored.map(n -> new String(codec.encodeCompact(n), StandardCharsets.UTF_8));
    String org = lease.organization().value();
    tx.run("store the check of " + org, c -> {
      // a check asked for during the lease (next_check moved past the claim) stays due
      String sets = (document.isPresent() ? "version = ?, document = ?, " + StateWrites.LAST_SET + ", updated_at = clock_timestamp(), "
          : "")
          + "next_check = CASE WHEN next_check > lease_claimed_at THEN next_check"
          + " ELSE clock_timestamp() + (?::bigint) * interval '1 millisecond' END,"
          + " check_attempts = CASE WHEN next_check > lease_claimed_at THEN 0 ELSE ? END,"
          + " lease_holder = NULL, lease_claimed_at = NULL, lease_until = NULL";
      List<Object> setParams = new ArrayList<>();
      if (document.isPresent()) {
        setParams.add(expectedVersion + 1);
        setParams.add(document.get());
        setParams.addAll(StateWrites.last(stored.get()));
      }
      setParams.add(nextCheckIn.map(Duration::toMillis).orElse(null));
      setParams.add(attempts);
      List<Object> conditionParams = new ArrayList<>(List.of(lease.fencing(), lease.holder()));
      if (document.isPresent()) {
        conditionParams.add(expectedVersion);
      }
      String conditions = " AND t.fencing = ? AND t.lease_holder = ? AND t.lease_until > clock_timestamp()"
          + (document.isPresent() ? " AND t.version = ?" : "");
      boolean written = stored.isPresent()
          ? writes.writeWithAudit(c, org, sets, setParams, conditions, conditionParams, stored.get(), expectedVersion)
          : writes.writeState(c, org, sets, setParams, conditions, conditionParams, false).isPresent();
      if (!written) {
        try (PreparedStatement s = c.prepareStatement("SELECT version, fencing = ? AND lease_holder = ? AND lease_until >"
            + " clock_timestamp() FROM " + q + ".organization_state WHERE organization = ?")) {
          s.setLong(1, lease.fencing());
          s.setString(2, lease.holder());
          s.setString(3, org);
          try (ResultSet r = s.executeQuery()) {
            if (!r.next() || !r.getBoolean(2)) {
              throw new LeaseLostException(lease);
            }
            throw new StateConflictException(lease.organization(), expectedVersion, r.getLong(1));
          }
        }
      }
      return null;
    });
    stored.ifPresent(writes::remember);
    return stored;
  }

  @Override
  public Optional<java.time.Instant> nextCheck(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    return tx.run("read the next check of " + organization, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT next_check FROM " + q
          + ".organization_state WHERE organization = ?")) {
        s.setString(1, organization.value());
        try (ResultSet r = s.executeQuery()) {
          return r.next() && r.getTimestamp(1) != null ? Optional.of(r.getTimestamp(1).toInstant())
              : Optional.<java.time.Instant>empty();
        }
      }
    });
  }

  // ---- notes ----

  @Override
  public Optional<Note> get(OrganizationId organization, String name) {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(name, "name");
    return tx.run("read a note of " + organization, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT value, version FROM " + q
          + ".note WHERE organization = ? AND name = ?")) {
        s.setString(1, organization.value());
        s.setString(2, name);
        try (ResultSet r = s.executeQuery()) {
          return r.next() ? Optional.of(new Note(r.getString(1), r.getLong(2))) : Optional.<Note>empty();
        }
      }
    });
  }

  @Override
  public Map<String, Note> list(OrganizationId organization, String prefix) {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(prefix, "prefix");
    return tx.run("read the notes of " + organization, c -> notes(c, organization, prefix));
  }

  private TreeMap<String, Note> notes(Connection c, OrganizationId organization, String prefix) throws SQLException {
    TreeMap<String, Note> out = new TreeMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT name, value, version FROM " + q
        + ".note WHERE organization = ? AND starts_with(name, ?)")) {
      s.setString(1, organization.value());
      s.setString(2, prefix);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), new Note(r.getString(2), r.getLong(3)));
        }
      }
    }
    return out;
  }

  @Override
  public Optional<Note> compareAndSet(OrganizationId organization, String name, long expectedVersion,
      Optional<String> value) {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(value, "value");
    return tx.run("store a note of " + organization, c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
        s.setString(1, "binary-backends notes " + schema + " " + organization.value());
        s.execute();
      }
      TreeMap<String, Note> after = NoteMaps.apply(notes(c, organization, ""), organization, name, expectedVersion,
          value);
      Note kept = after.get(name);
      if (kept == null) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + q + ".note WHERE organization = ? AND name = ?")) {
          s.setString(1, organization.value());
          s.setString(2, name);
          s.executeUpdate();
        }
      } else {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO " + q + ".note (organization, name, value, version)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (organization, name) DO UPDATE SET value = excluded.value,"
            + " version = excluded.version")) {
          s.setString(1, organization.value());
          s.setString(2, name);
          s.setString(3, kept.value());
          s.setLong(4, kept.version());
          s.executeUpdate();
        }
      }
      notify(c, "note:" + organization.value());
      return Optional.ofNullable(kept);
    });
  }

  private void notify(Connection c, String payload) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      s.setString(1, channel);
      s.setString(2, payload);
      s.execute();
    }
  }

  /** Nothing to release: the data source is the caller's. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "PostgresStateStore{schema " + schema + ", keys=" + codec.sealer().keyIds() + "}";
  }

  /** Builds a {@link PostgresStateStore}; not thread-safe. */
  public static final class Builder {
    private DataSource dataSource;
    private List<StateKey> keys;
    private String schema = "binary_backends";
    private SchemaMode schemaMode = SchemaMode.MIGRATE;
    private Duration statementTimeout = Duration.ofSeconds(10);
    private Duration lockTimeout = Duration.ofSeconds(5);
    private Duration auditRetention = Duration.ofDays(400);
    private boolean notifications = true;
    private Duration pollInterval = Duration.ofSeconds(2);

    private Builder() {}

    /** The embedding service's connections (a pool: HikariCP, say); closed by its owner, never here. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
      return this;
    }

    /**
     * The keys that seal settings, the first sealing new ones (the same keys as the file store's:
     * a state moves between them as it is).
     */
    public Builder keys(List<StateKey> keys) {
      this.keys = List.copyOf(keys);
      return this;
    }

    /** The schema of the tables ({@code binary_backends} unless set). */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** What opening does with the schema ({@link SchemaMode#MIGRATE} unless set). */
    public Builder schemaMode(SchemaMode mode) {
      this.schemaMode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** The longest a statement may run (10 s unless set) and wait for a lock (5 s). */
    public Builder timeouts(Duration statement, Duration lock) {
      this.statementTimeout = Objects.requireNonNull(statement, "statement");
      this.lockTimeout = Objects.requireNonNull(lock, "lock");
      return this;
    }

    /**
     * Whether other instances' changes arrive by {@code LISTEN}/{@code NOTIFY} (the default), or by
     * polling every {@link #pollInterval}: switch notifications off behind a connection pooler in
     * transaction mode (PgBouncer's), which cannot carry {@code LISTEN}.
     */
    public Builder notifications(boolean on) {
      this.notifications = on;
      return this;
    }

    /** How often changes are polled for without notifications (2 s unless set). */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** How long audit rows are kept (400 days unless set). */
    public Builder auditRetention(Duration retention) {
      this.auditRetention = Objects.requireNonNull(retention, "retention");
      return this;
    }

    /**
     * Checks the settings, then migrates or validates the schema as {@link #schemaMode} says; when
     * it migrates, it also purges audit rows past their retention (otherwise call {@link
     * PostgresStateStore#purgeAudit()} as the schema's owner).
     *
     * @throws InvalidConfigurationException naming every setting out of range
     * @throws BinaryBackendException if the database refuses, or its schema is one this library
     *     cannot run against
     */
    public PostgresStateStore build() {
      List<Violation> v = new ArrayList<>();
      if (dataSource == null) {
        v.add(Violation.missing("dataSource", "the service's PostgreSQL connections"));
      }
      if (keys == null || keys.isEmpty()) {
        v.add(Violation.missing("keys", "at least one StateKey to seal settings with"));
      }
      String quoted = null;
      try {
        quoted = PostgresSchema.quoted(schema);
      } catch (org.binarybackends.InvalidInputException e) {
        v.addAll(e.violations());
      }
      checkRange(v, "timeouts.statement", statementTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
      checkRange(v, "timeouts.lock", lockTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
      checkRange(v, "auditRetention", auditRetention, Duration.ofDays(1), Duration.ofDays(36_500));
      checkRange(v, "pollInterval", pollInterval, Duration.ofMillis(50), Duration.ofMinutes(10));
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      PostgresStateStore store = new PostgresStateStore(this, quoted);
      new SchemaMigration(store, schema, quoted).apply(schemaMode);
      if (schemaMode == SchemaMode.MIGRATE) { // the schema's owner; a role that only validates may not delete
        int purged = store.purgeAudit();
        if (purged > 0) {
          LOG.info("Removed {} audit rows older than {} from schema {}", purged, auditRetention, schema);
        }
      }
      return store;
    }

    private static void checkRange(List<Violation> v, String field, Duration d, Duration min, Duration max) {
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        v.add(Violation.of(field, d.toString(), min + " to " + max));
      }
    }
  }
}
