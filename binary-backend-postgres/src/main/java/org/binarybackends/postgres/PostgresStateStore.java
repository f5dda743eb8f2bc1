package org.binarybackends.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
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
  private static final int RETRIES = 5;

  private final DataSource dataSource;
  private final String schema;
  private final String q;
  private final String channel;
  private final StateCodec codec;
  private final Duration statementTimeout;
  private final Duration lockTimeout;
  private final Duration auditRetention;
  private final boolean notifications;
  private final Duration pollInterval;
  /**
   * The version and last transition of each organization's state as this store last read or wrote
   * it: a write from that version then knows which of its transitions are new, and writes them to the
   * audit trail in the same statement as the state (one round trip instead of two). A fingerprint,
   * not the transition: a few dozen bytes per organization.
   */
  private final java.util.concurrent.ConcurrentHashMap<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

  /** A state's version and the fingerprint of its last transition (0 if it has none). */
  private record Known(long version, long last) {
    static Known of(OrganizationState s) {
      return new Known(s.version(), s.history().isEmpty() ? 0 : fingerprint(s.history().get(s.history().size() - 1)));
    }
  }

  private static long fingerprint(Transition t) {
    java.security.MessageDigest md;
    try {
      md = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    for (String part : List.of(t.at().toString(), t.actor(), t.change(), t.reason())) {
      md.update(part.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return java.nio.ByteBuffer.wrap(md.digest()).getLong() | 1; // never 0, which means "none"
  }

  /** The transitions of {@code history} after the one {@code known} names (all of them if it names none there). */
  private static List<Transition> after(List<Transition> history, Known known) {
    if (known.last() != 0) {
      for (int i = history.size() - 1; i >= 0; i--) {
        if (fingerprint(history.get(i)) == known.last()) {
          return history.subList(i + 1, history.size());
        }
      }
    }
    return history;
  }

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
    String document = inTransaction("read the state of " + organization, c -> {
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
    known.put(organization.value(), Known.of(state));
    return Optional.of(state);
  }

  @Override
  public OrganizationState compareAndSet(long expectedVersion, OrganizationState next) {
    Objects.requireNonNull(next, "next");
    OrganizationState stored = next.withVersion(expectedVersion + 1);
    String document = new String(codec.encode(stored), StandardCharsets.UTF_8);
    String org = next.organization().value();
    OrganizationState written = inTransaction("store the state of " + org, c -> {
      if (expectedVersion == 0) {
        String sql = "WITH f AS (INSERT INTO " + q + ".organization_state (organization, version, document, next_check,"
            + " last_at, last_actor, last_change, last_reason) VALUES (?, 1, ?, clock_timestamp(), ?, ?, ?, ?)"
            + " ON CONFLICT (organization) DO NOTHING RETURNING organization)" + AUDIT_CTE.replace("@q", q)
            + " SELECT pg_notify(?, ?) FROM f";
        List<Object> params = new ArrayList<>(List.of(org, document));
        params.addAll(last(stored));
        if (!writeInOne(c, sql, params, stored, stored.history())) {
          throw new StateConflictException(next.organization(), expectedVersion, storedVersion(c, org));
        }
        return stored;
      }
      List<Object> setParams = new ArrayList<>(List.of(expectedVersion + 1, document));
      setParams.addAll(last(stored));
      if (!writeWithAudit(c, org, "version = ?, document = ?, " + LAST_SET + ", updated_at = clock_timestamp()",
          setParams, " AND t.version = ?", List.of(expectedVersion), stored, expectedVersion)) {
        throw new StateConflictException(next.organization(), expectedVersion, storedVersion(c, org));
      }
      return stored;
    });
    known.put(org, Known.of(written));
    return written;
  }

  /** Inserts the audit rows of the CTE {@code f} (one row: the organization written) in the same statement. */
  private static final String AUDIT_CTE = ", aud AS (INSERT INTO @q.organization_audit (organization, version, at,"
      + " actor, change, reason) SELECT f.organization, ?, n.at, n.actor, n.change, n.reason FROM f,"
      + " unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS n(at, actor, change, reason, ord)"
      + " ORDER BY n.ord)";

  /**
   * Runs a statement that writes the state row (a CTE named in {@link #AUDIT_CTE}'s {@code f}), its
   * audit rows ({@code added}) and the notification; {@code params} are those before the audit's.
   *
   * @return whether the row was written
   */
  private boolean writeInOne(Connection c, String sql, List<Object> params, OrganizationState stored,
      List<Transition> added) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      for (Object p : params) {
        s.setObject(i++, p);
      }
      s.setLong(i++, stored.version());
      s.setArray(i++, c.createArrayOf("timestamptz", added.stream().map(t -> Timestamp.from(t.at())).toArray()));
      s.setArray(i++, c.createArrayOf("text", added.stream().map(Transition::actor).toArray()));
      s.setArray(i++, c.createArrayOf("text", added.stream().map(Transition::change).toArray()));
      s.setArray(i++, c.createArrayOf("text", added.stream().map(Transition::reason).toArray()));
      s.setString(i++, channel);
      s.setString(i, "state:" + stored.organization().value());
      try (ResultSet r = s.executeQuery()) {
        return r.next();
      }
    }
  }

  /**
   * Writes {@code stored} over the row at {@code expectedVersion} with its audit rows and a
   * notification: in one statement when this store knows that version's last transition (it read or
   * wrote it), else in two (the first reads the replaced last transition as it writes).
   *
   * @return whether the row matched
   */
  private boolean writeWithAudit(Connection c, String org, String sets, List<Object> setParams, String conditions,
      List<Object> conditionParams, OrganizationState stored, long expectedVersion) throws SQLException {
    Known k = known.get(org);
    if (k != null && k.version() == expectedVersion) {
      String sql = "WITH f AS (UPDATE " + q + ".organization_state t SET " + sets + " WHERE t.organization = ?"
          + conditions + " RETURNING t.organization)" + AUDIT_CTE.replace("@q", q) + " SELECT pg_notify(?, ?) FROM f";
      List<Object> params = new ArrayList<>(setParams);
      params.add(org);
      params.addAll(conditionParams);
      return writeInOne(c, sql, params, stored, after(stored.history(), k));
    }
    Optional<Optional<Transition>> previous = writeState(c, org, sets, setParams, conditions, conditionParams, true);
    if (previous.isEmpty()) {
      return false;
    }
    audit(c, stored, previous.get());
    return true;
  }

  private static final String LAST_SET = "last_at = ?, last_actor = ?, last_change = ?, last_reason = ?";

  /** The last transition of {@code s}, as the columns {@link #LAST_SET} sets keep it (nulls if none). */
  private static List<Object> last(OrganizationState s) {
    List<Object> out = new ArrayList<>();
    if (s.history().isEmpty()) {
      out.add(null);
      out.add(null);
      out.add(null);
      out.add(null);
      return out;
    }
    Transition t = s.history().get(s.history().size() - 1);
    out.add(t.at().toString()); // exact: an Instant's ISO form, not a timestamp rounded to microseconds
    out.add(t.actor());
    out.add(t.change());
    out.add(t.reason());
    return out;
  }

  private static void setLast(PreparedStatement s, int from, OrganizationState state) throws SQLException {
    List<Object> last = last(state);
    for (int i = 0; i < 4; i++) {
      s.setString(from + i, (String) last.get(i));
    }
  }

  /**
   * Updates an organization's row in one statement that also reads the last transition of the
   * state it replaces (locking the row first, so no writer of this organization runs meanwhile)
   * and, if {@code notifyIt}, notifies the change: one round trip.
   *
   * @return empty if no row matched; else the replaced state's last transition, if it had one
   */
  private Optional<Optional<Transition>> writeState(Connection c, String org, String sets, List<Object> setParams,
      String conditions, List<Object> conditionParams, boolean notifyIt) throws SQLException {
    String sql = "WITH upd AS (UPDATE " + q + ".organization_state t SET " + sets
        + " FROM (SELECT organization, last_at, last_actor, last_change, last_reason FROM " + q
        + ".organization_state WHERE organization = ? FOR UPDATE) old WHERE t.organization = old.organization"
        + conditions + " RETURNING old.last_at, old.last_actor, old.last_change, old.last_reason)"
        + " SELECT upd.*" + (notifyIt ? ", pg_notify(?, ?)" : "") + " FROM upd";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      for (Object p : setParams) {
        s.setObject(i++, p);
      }
      s.setString(i++, org);
      for (Object p : conditionParams) {
        s.setObject(i++, p);
      }
      if (notifyIt) {
        s.setString(i++, channel);
        s.setString(i, "state:" + org);
      }
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        return Optional.of(r.getString(1) == null ? Optional.empty() : Optional.of(new Transition(
            java.time.Instant.parse(r.getString(1)), r.getString(2), r.getString(3), r.getString(4))));
      }
    }
  }

  private long storedVersion(Connection c, String org) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT version FROM " + q + ".organization_state WHERE organization = ?")) {
      s.setString(1, org);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? r.getLong(1) : 0;
      }
    }
  }

  /**
   * Appends the transitions {@code stored} adds to the audit trail: those after the last transition
   * of the state it replaced (read in the same statement that wrote it, under the row's lock).
   */
  private void audit(Connection c, OrganizationState stored, Optional<Transition> previousLast) throws SQLException {
    List<Transition> history = stored.history();
    int from = 0;
    if (previousLast.isPresent()) {
      for (int i = history.size() - 1; i >= 0; i--) {
        if (history.get(i).equals(previousLast.get())) {
          from = i + 1;
          break;
        }
      }
    }
    if (from == history.size()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement("INSERT INTO " + q + ".organization_audit (organization, version, at,"
        + " actor, change, reason) VALUES (?, ?, ?, ?, ?, ?)")) {
      for (Transition t : history.subList(from, history.size())) {
        s.setString(1, stored.organization().value());
        s.setLong(2, stored.version());
        s.setTimestamp(3, Timestamp.from(t.at()));
        s.setString(4, t.actor());
        s.setString(5, t.change());
        s.setString(6, t.reason());
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  /**
   * The full audit trail of {@code organization}, oldest first (within {@link
   * Builder#auditRetention}).
   */
  public List<Transition> auditTrail(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    return inTransaction("read the audit trail of " + organization, c -> {
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
    return inTransaction("purge the audit trail", c -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM " + q + ".organization_audit WHERE recorded_at <"
          + " clock_timestamp() - ? * interval '1 second'")) {
        s.setLong(1, auditRetention.getSeconds());
        return s.executeUpdate();
      }
    });
  }

  @Override
  public List<OrganizationId> organizations() {
    return inTransaction("list organizations", c -> {
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
    inTransaction("schedule the check of " + organization, c -> {
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
    return inTransaction("claim due checks", c -> {
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
    return inTransaction("claim the check of " + organization, c -> {
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
    Optional<String> document = stored.map(n -> new String(codec.encode(n), StandardCharsets.UTF_8));
    String org = lease.organization().value();
    inTransaction("store the check of " + org, c -> {
      // a check asked for during the lease (next_check moved past the claim) stays due
      String sets = (document.isPresent() ? "version = ?, document = ?, " + LAST_SET + ", updated_at = clock_timestamp(), "
          : "")
          + "next_check = CASE WHEN next_check > lease_claimed_at THEN next_check"
          + " ELSE clock_timestamp() + (?::bigint) * interval '1 millisecond' END,"
          + " check_attempts = CASE WHEN next_check > lease_claimed_at THEN 0 ELSE ? END,"
          + " lease_holder = NULL, lease_claimed_at = NULL, lease_until = NULL";
      List<Object> setParams = new ArrayList<>();
      if (document.isPresent()) {
        setParams.add(expectedVersion + 1);
        setParams.add(document.get());
        setParams.addAll(last(stored.get()));
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
          ? writeWithAudit(c, org, sets, setParams, conditions, conditionParams, stored.get(), expectedVersion)
          : writeState(c, org, sets, setParams, conditions, conditionParams, false).isPresent();
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
    stored.ifPresent(n -> known.put(org, Known.of(n)));
    return stored;
  }

  @Override
  public Optional<java.time.Instant> nextCheck(OrganizationId organization) {
    Objects.requireNonNull(organization, "organization");
    return inTransaction("read the next check of " + organization, c -> {
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
    return inTransaction("read a note of " + organization, c -> {
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
    return inTransaction("read the notes of " + organization, c -> notes(c, organization, prefix));
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
    return inTransaction("store a note of " + organization, c -> {
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

  // ---- transactions ----

  /** Work in one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction with this store's timeouts, again after a serialization
   * failure or a deadlock; any failure rolls it back. A {@link BinaryBackendException} the work
   * throws (a conflict, a refused note) passes through.
   */
  <T> T inTransaction(String what, Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = dataSource.getConnection()) {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
          try (Statement s = c.createStatement()) { // SET LOCAL, in one round trip
            s.execute("SELECT set_config('statement_timeout', '" + statementTimeout.toMillis() + "', true),"
                + " set_config('lock_timeout', '" + lockTimeout.toMillis() + "', true)");
          }
          T result = work.run(c);
          c.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          rollback(c);
          throw e;
        } finally {
          restore(c, autoCommit);
        }
      } catch (SQLException e) {
        if (PostgresFailures.retryable(e) && attempt < RETRIES) {
          LOG.debug("{}: {} (attempt {}); again", what, e.getSQLState(), attempt);
          continue;
        }
        throw PostgresFailures.diagnose(what, schema, e);
      }
    }
  }

  private static void rollback(Connection c) {
    try {
      c.rollback();
    } catch (SQLException e) {
      LOG.debug("rollback failed: {}", e.toString());
    }
  }

  private static void restore(Connection c, boolean autoCommit) {
    try {
      c.setAutoCommit(autoCommit);
    } catch (SQLException e) {
      LOG.debug("restoring auto-commit failed: {}", e.toString());
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
