package org.binarybackends.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.binarybackends.BinaryBackendException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's transactions on the caller's data source: each with {@code statement_timeout} and
 * {@code lock_timeout} set locally (in one round trip), run again after a serialization failure or
 * a deadlock, rolled back on any failure, and diagnosed by SQLSTATE ({@link PostgresFailures}).
 */
final class Transactions {
  private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);
  private static final int RETRIES = 5;

  private final DataSource dataSource;
  private final String schema;
  private final Duration statementTimeout;
  private final Duration lockTimeout;

  Transactions(DataSource dataSource, String schema, Duration statementTimeout, Duration lockTimeout) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.statementTimeout = statementTimeout;
    this.lockTimeout = lockTimeout;
  }

  /** Work in one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction with the store's timeouts, again after a serialization
   * failure or a deadlock; any failure rolls it back. A {@link BinaryBackendException} the work
   * throws (a conflict, a refused note) passes through.
   */
  <T> T run(String what, Work<T> work) {
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
}
