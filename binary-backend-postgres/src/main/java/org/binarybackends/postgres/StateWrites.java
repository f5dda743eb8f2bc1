package org.binarybackends.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.Transition;

/**
 * How the store writes an organization's row: the state, the columns holding its last transition,
 * the audit rows of the transitions it adds and the notification, in one statement when the
 * replaced version's last transition is known here, else in two. Runs inside the store's
 * transactions; remembers what it wrote and what the store read.
 */
final class StateWrites {
  private final String q;
  private final String channel;

  StateWrites(String quotedSchema, String channel) {
    this.q = quotedSchema;
    this.channel = channel;
  }

  /** Remembers the version and last transition of a state read or stored. */
  void remember(OrganizationState s) {
    known.put(s.organization().value(), Known.of(s));
  }

  /**
   * The version and last transition of each organization's state as this store last read or wrote
   * it: a write from that version then knows which of its transitions are new, and writes them to the
   * audit trail in the same statement as the state (one round trip instead of two). A fingerprint,
   * not the transition: a few dozen bytes per organization.
   */
  final java.util.concurrent.ConcurrentHashMap<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

  /** A state's version and the fingerprint of its last transition (0 if it has none). */
  record Known(long version, long last) {
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

  /** Inserts the audit rows of the CTE {@code f} (one row: the organization written) in the same statement. */
  static final String AUDIT_CTE = ", aud AS (INSERT INTO @q.organization_audit (organization, version, at,"
      + " actor, change, reason) SELECT f.organization, ?, n.at, n.actor, n.change, n.reason FROM f,"
      + " unnest(?::timestamptz[], ?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS n(at, actor, change, reason, ord)"
      + " ORDER BY n.ord)";

  /**
   * Runs a statement that writes the state row (a CTE named in {@link #AUDIT_CTE}'s {@code f}), its
   * audit rows ({@code added}) and the notification; {@code params} are those before the audit's.
   *
   * @return whether the row was written
   */
  boolean writeInOne(Connection c, String sql, List<Object> params, OrganizationState stored,
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
  boolean writeWithAudit(Connection c, String org, String sets, List<Object> setParams, String conditions,
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

  static final String LAST_SET = "last_at = ?, last_actor = ?, last_change = ?, last_reason = ?";

  /** The last transition of {@code s}, as the columns {@link #LAST_SET} sets keep it (nulls if none). */
  static List<Object> last(OrganizationState s) {
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

  static void setLast(PreparedStatement s, int from, OrganizationState state) throws SQLException {
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
  Optional<Optional<Transition>> writeState(Connection c, String org, String sets, List<Object> setParams,
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

  long storedVersion(Connection c, String org) throws SQLException {
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
  void audit(Connection c, OrganizationState stored, Optional<Transition> previousLast) throws SQLException {
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
}
