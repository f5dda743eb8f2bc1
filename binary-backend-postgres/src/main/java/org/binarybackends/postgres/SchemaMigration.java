package org.binarybackends.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.binarybackends.BinaryBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the schema to {@link PostgresSchema#VERSION}, or checks it is one this library runs
 * against. A migration runs in one transaction holding {@code pg_advisory_xact_lock} on the schema's
 * name, so instances starting together apply it once (the others wait, then find it done); a failed
 * migration leaves the previous version whole (PostgreSQL's DDL is transactional).
 */
final class SchemaMigration {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaMigration.class);

  private final PostgresStateStore store;
  private final String schema;
  private final String quoted;

  SchemaMigration(PostgresStateStore store, String schema, String quoted) {
    this.store = store;
    this.schema = schema;
    this.quoted = quoted;
  }

  void apply(SchemaMode mode) {
    switch (mode) {
      case NONE:
        return;
      case VALIDATE:
        check(store.tx.run("read the schema version", this::version));
        return;
      case MIGRATE:
        store.tx.run("migrate the schema", c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
            s.setString(1, "binary-backends schema " + schema);
            s.execute();
          }
          int current = version(c);
          if (current > PostgresSchema.NEWEST_SUPPORTED) {
            check(current);
          }
          for (int v = current + 1; v <= PostgresSchema.VERSION; v++) {
            try (Statement s = c.createStatement()) {
              for (String sql : PostgresSchema.statements(PostgresSchema.migration(schema, v))) {
                s.execute(sql);
              }
            }
            try (PreparedStatement s = c.prepareStatement("INSERT INTO " + quoted
                + ".schema_version (version, applied_by) VALUES (?, ?)")) {
              s.setInt(1, v);
              s.setString(2, "binary-backends " + PostgresSchema.VERSION);
              s.executeUpdate();
            }
            LOG.info("Schema {} migrated to version {}", schema, v);
          }
          return null;
        });
        return;
      default:
        throw new IllegalArgumentException(mode.toString());
    }
  }

  /** The schema's version: 0 if it has none yet. */
  private int version(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      s.setString(1, quoted + ".schema_version");
      try (ResultSet r = s.executeQuery()) {
        r.next();
        if (!r.getBoolean(1)) {
          return 0;
        }
      }
    }
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT coalesce(max(version), 0) FROM " + quoted + ".schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  private void check(int version) {
    if (version < PostgresSchema.VERSION) {
      throw new BinaryBackendException("PostgreSQL schema " + schema + " is at version " + version + "; this library"
          + " needs version " + PostgresSchema.VERSION + ": open the store once with SchemaMode.MIGRATE, or apply"
          + " PostgresSchema.sql(\"" + schema + "\")");
    }
    if (version > PostgresSchema.NEWEST_SUPPORTED) {
      throw new BinaryBackendException("PostgreSQL schema " + schema + " is at version " + version + ", newer than"
          + " this library runs against (its own " + PostgresSchema.VERSION + ", up to " + PostgresSchema.NEWEST_SUPPORTED
          + "): upgrade the library");
    }
  }
}
