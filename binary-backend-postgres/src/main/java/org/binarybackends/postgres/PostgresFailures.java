package org.binarybackends.postgres;

import java.sql.SQLException;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;

/** What a failed statement means for the caller, by its SQLSTATE; the message names the cause, never a value. */
final class PostgresFailures {
  private PostgresFailures() {}

  /** A serialization failure or a deadlock: the transaction may simply run again. */
  static boolean retryable(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  static BinaryBackendException diagnose(String what, String schema, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String detail = "could not " + what + " in PostgreSQL schema " + schema + " (SQLSTATE " + state + ": "
        + firstLine(e.getMessage()) + ")";
    if (state.equals("42501")) {
      return new AccessDeniedException(what + " in schema " + schema,
          java.util.List.of("the database role lacks a privilege on the schema or its tables (grant USAGE on the schema"
              + " and SELECT, INSERT, UPDATE, DELETE on its tables; CREATE too for SchemaMode.MIGRATE)"),
          detail, e);
    }
    if (state.equals("25006")) {
      return new BackendUnavailableException(detail + ": the database is read-only (a standby, or"
          + " default_transaction_read_only); point the data source at the primary", true, e);
    }
    if (state.equals("42P01") || state.equals("3F000")) {
      return new BackendUnavailableException(detail + ": the schema's tables are missing; open the store with"
          + " SchemaMode.MIGRATE, or apply PostgresSchema.sql(\"" + schema + "\")", false, e);
    }
    boolean transientFailure = state.startsWith("08") || state.startsWith("57") || state.startsWith("53")
        || state.equals("55P03") || state.equals("40001") || state.equals("40P01") || state.isEmpty();
    return new BackendUnavailableException(detail, transientFailure, e);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
