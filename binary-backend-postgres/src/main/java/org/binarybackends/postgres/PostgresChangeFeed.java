package org.binarybackends.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.StateChanges;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription to the store's changes, on a thread of its own. With notifications, a dedicated
 * connection {@code LISTEN}s on the store's channel (every state write {@code NOTIFY}s in its own
 * transaction, so a notification arrives only for what is committed); when the connection is lost
 * it reconnects with backoff and tells the listener to resync, since what was notified meanwhile is
 * gone. Without (a pooler in transaction mode cannot carry {@code LISTEN}), it polls the states
 * updated since its last look, by the database's clock, every poll interval; the window reaches
 * {@link #POLL_OVERLAP} further back, so that a transaction that committed after a poll had begun
 * is seen by the next one.
 */
final class PostgresChangeFeed implements AutoCloseable, Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresChangeFeed.class);
  /** How far back each poll looks beyond the previous one. */
  static final Duration POLL_OVERLAP = Duration.ofSeconds(10);
  private static final int WAIT_MILLIS = 250;

  private final DataSource dataSource;
  private final String quotedSchema;
  private final String channel;
  private final boolean notifications;
  private final Duration pollInterval;
  private final StateChanges.Listener listener;
  private final CountDownLatch listening = new CountDownLatch(1);
  private final Thread thread;
  private volatile boolean closed;
  private volatile Exception firstFailure;
  /** Whether it listened (or polled) before: a connection after that one may have missed changes. */
  private boolean listenedBefore;
  /** How long to wait before reconnecting: doubling to 30 s, back to 200 ms once connected. */
  private Duration backoff = FIRST_BACKOFF;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

  PostgresChangeFeed(DataSource dataSource, String quotedSchema, String channel, boolean notifications,
      Duration pollInterval, StateChanges.Listener listener) {
    this.dataSource = dataSource;
    this.quotedSchema = quotedSchema;
    this.channel = channel;
    this.notifications = notifications;
    this.pollInterval = pollInterval;
    this.listener = listener;
    this.thread = new Thread(this, "binary-backends-pg-changes");
    this.thread.setDaemon(true);
  }

  /** Starts it and waits until it listens (or, polling, has read the database's clock once). */
  void start(Duration timeout) {
    thread.start();
    boolean ready;
    try {
      ready = listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ready = false;
    }
    if (!ready) {
      close();
      throw new BackendUnavailableException("could not listen to the changes of PostgreSQL schema " + quotedSchema
          + " within " + timeout + (firstFailure == null ? "" : ": " + firstFailure), true, firstFailure);
    }
  }

  @Override
  public void run() {
    while (!closed) {
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(true);
        if (notifications) {
          listen(c);
        } else {
          poll(c);
        }
      } catch (SQLException | RuntimeException e) {
        if (closed) {
          return;
        }
        if (firstFailure == null && listening.getCount() > 0) {
          firstFailure = e;
        }
        LOG.warn("Lost the change feed of PostgreSQL schema {} ({}); reconnecting in {}", quotedSchema, e.toString(),
            backoff);
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0 ? Duration.ofSeconds(30)
            : backoff.multipliedBy(2);
        continue;
      }
    }
  }

  private void listen(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("LISTEN \"" + channel + "\"");
    }
    PGConnection pg = c.unwrap(PGConnection.class);
    ready();
    while (!closed) {
      PGNotification[] received = pg.getNotifications(WAIT_MILLIS);
      if (received == null) {
        continue;
      }
      for (PGNotification n : received) {
        deliver(n.getParameter());
      }
    }
  }

  private void poll(Connection c) throws SQLException {
    Instant since = databaseTime(c);
    ready();
    while (!closed) {
      sleep(pollInterval);
      if (closed) {
        return;
      }
      Instant now = databaseTime(c);
      try (PreparedStatement s = c.prepareStatement("SELECT organization FROM " + quotedSchema
          + ".organization_state WHERE updated_at > ?")) {
        s.setTimestamp(1, Timestamp.from(since.minus(POLL_OVERLAP)));
        try (ResultSet r = s.executeQuery()) {
          while (r.next()) {
            deliver("state:" + r.getString(1));
          }
        }
      }
      since = now;
    }
  }

  private static Instant databaseTime(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT clock_timestamp()")) {
      r.next();
      return r.getTimestamp(1).toInstant();
    }
  }

  private void ready() {
    if (listenedBefore) {
      LOG.info("The change feed of PostgreSQL schema {} is back; re-reading what is cached", quotedSchema);
      safely(listener::resync);
    }
    listenedBefore = true;
    backoff = FIRST_BACKOFF;
    listening.countDown();
  }

  private void deliver(String payload) {
    if (payload == null || !payload.startsWith("state:")) {
      return; // notes are read where they are used, never cached from here
    }
    OrganizationId org;
    try {
      org = OrganizationId.of(payload.substring("state:".length()));
    } catch (RuntimeException e) {
      LOG.warn("Ignoring a notification on {} that names no organization", channel);
      return;
    }
    safely(() -> listener.changed(org));
  }

  private void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("A change listener failed: {}", e.toString());
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
