package org.binarybackends.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.testkit.CheckLeasesContract;

/** The leases in the organization's row, on the database's clock. */
class PostgresCheckLeasesContractTest extends CheckLeasesContract {
  @Override
  protected OrganizationStateStore createStore() {
    return PostgresFixture.store();
  }

  @Override
  protected CheckLeases leasesOf(OrganizationStateStore store) {
    return (PostgresStateStore) store;
  }

  /** Waits until the database's clock has moved on by {@code d}: leases are timed by it, not by this JVM. */
  @Override
  protected void passTime(Duration d) throws Exception {
    Instant until = databaseTime().plus(d);
    while (databaseTime().isBefore(until)) {
      Thread.onSpinWait();
    }
  }

  private static Instant databaseTime() throws Exception {
    try (Connection c = PostgresFixture.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT clock_timestamp()")) {
      r.next();
      return r.getTimestamp(1).toInstant();
    }
  }
}
