package org.binarybackends.s3;

import java.time.Clock;
import java.util.List;
import org.binarybackends.spi.GaugeSet;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * One assumed-role session, assumed again ahead of its end on the library's clock: from half its
 * life before the end (at most 10 minutes) in the background, callers going on with the current one;
 * in its last tenth (at most 2 minutes) callers wait for a fresh one. Thread-safe.
 *
 * <p>Written here rather than taken from the SDK: its {@code CachedSupplier} (the machinery behind
 * {@code StsAssumeRoleCredentialsProvider}) is {@code @SdkProtectedApi}, and the clock that makes its
 * refreshes follow the library's clock is {@code @SdkTestInternalApi}: either may change in any SDK
 * release. The SDK's public providers take no clock, and the library's tests move the clock through
 * a session's life.
 *
 * <p>A failed refresh is never fatal while the current session still works: in the background it is
 * tried again at the earliest {@link #RETRY_AFTER} later; in the last tenth the current session is
 * handed out until it ends. Only without a working session does the failure reach the caller.
 */
final class SessionCache implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionCache.class);
  /** How long after a failed background refresh the next one is tried. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** A few daemon threads refresh the sessions of every organization: refreshes are one request each. */
  static final ThreadPoolExecutor REFRESH = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "bb-sts-refresh-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
      });

  static {
    REFRESH.allowCoreThreadTimeOut(true);
  }

  private final Supplier<AwsSessionCredentials> assume;
  private final java.util.concurrent.Executor refresher;
  private final Clock clock;
  private final String name;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile Held held;
  private volatile Instant retryAt = Instant.MIN;
  private volatile boolean closed;
  private final Instrumentation meters;
  private final MetricTags hop;
  private final List<Instrumentation.Registration> gauges;

  /** A session and when to refresh it. */
  private record Held(AwsSessionCredentials session, Instant prefetchAt, Instant staleAt, Instant end) {}

  /**
   * @param assume assumes the role now; its session must carry its expiration
   * @param name for logs: which organization and hop (never a credential)
   */
  SessionCache(Supplier<AwsSessionCredentials> assume, Clock clock, String name) {
    this(assume, clock, name, REFRESH, Instrumentation.none(), "role");
  }

  /**
   * With background refreshes run by {@code refresher} (tests run them when they choose), measured
   * in {@code meters} under the tag {@code hop} ({@code platform} or {@code customer}).
   */
  SessionCache(Supplier<AwsSessionCredentials> assume, Clock clock, String name,
      java.util.concurrent.Executor refresher, Instrumentation meters, String hop) {
    this.assume = assume;
    this.refresher = refresher;
    this.clock = clock;
    this.name = name;
    this.meters = meters;
    this.hop = MetricTags.of("hop", hop);
    this.gauges = List.of(
        GaugeSet.of(meters, "binary.backend.role.sessions", "Role sessions cached (unexpired) across organizations",
            null, this.hop, GaugeSet.Reduce.SUM).add(() -> secondsLeft() > 0 ? 1 : 0),
        GaugeSet.of(meters, "binary.backend.role.session.remaining", "Seconds left on the cached role session that"
            + " ends first", "seconds", this.hop, GaugeSet.Reduce.MIN).add(this::secondsLeft));
  }

  /** Seconds until the cached session ends (0 if it has); NaN without one. */
  double secondsLeft() {
    Held h = held;
    if (h == null || closed) {
      return Double.NaN;
    }
    return Math.max(0, Duration.between(clock.instant(), h.end()).toMillis() / 1000.0);
  }

  private void refreshFailed(String when) {
    meters.counter("binary.backend.role.refresh.failures", "Failed attempts to assume a role session (due: needed"
        + " now; ahead: in the background before its end)", null, hop.and("when", when)).increment();
  }

  /** A session to use now: the cached one, or a fresh one when it is in its last tenth. */
  AwsSessionCredentials get() {
    Held h = held;
    Instant now = clock.instant();
    if (h == null || !now.isBefore(h.staleAt())) {
      return refreshNow(h);
    }
    if (!now.isBefore(h.prefetchAt()) && !now.isBefore(retryAt)) {
      refreshInBackground();
    }
    return h.session();
  }

  private AwsSessionCredentials refreshNow(Held seen) {
    lock.lock();
    try {
      Held h = held;
      if (h != null && h != seen && clock.instant().isBefore(h.staleAt())) {
        return h.session(); // another caller refreshed it meanwhile
      }
      try {
        return store(assume.get()).session();
      } catch (RuntimeException e) {
        refreshFailed("due");
        if (h != null && clock.instant().isBefore(h.end())) {
          LOG.warn("{}: assuming a fresh session failed; the current one serves until {}: {}", name, h.end(),
              e.getMessage());
          return h.session();
        }
        throw e;
      }
    } finally {
      lock.unlock();
    }
  }

  private void refreshInBackground() {
    if (closed || !refreshing.compareAndSet(false, true)) {
      return;
    }
    try {
      refresher.execute(() -> {
        lock.lock();
        try {
          if (!closed) {
            store(assume.get());
          }
        } catch (RuntimeException e) {
          refreshFailed("ahead");
          retryAt = clock.instant().plus(RETRY_AFTER);
          LOG.warn("{}: refreshing the session ahead of its end failed; trying again from {}: {}", name, retryAt,
              e.getMessage());
        } finally {
          lock.unlock();
          refreshing.set(false);
        }
      });
    } catch (RejectedExecutionException e) {
      refreshing.set(false);
    }
  }

  private Held store(AwsSessionCredentials session) {
    Instant end = session.expirationTime().orElseThrow(() -> new IllegalStateException(name
        + ": STS returned a session without an expiration"));
    Instant now = clock.instant();
    Held h = new Held(session, before(now, end, Duration.ofMinutes(10), 2), before(now, end, Duration.ofMinutes(2), 10),
        end);
    held = h;
    retryAt = Instant.MIN;
    return h;
  }

  /** {@code end} less a {@code fraction} of the life left, at most {@code most}. */
  private static Instant before(Instant now, Instant end, Duration most, int fraction) {
    Duration life = Duration.between(now, end);
    Duration lead = life.dividedBy(fraction).compareTo(most) < 0 ? life.dividedBy(fraction) : most;
    return end.minus(lead.isNegative() ? Duration.ZERO : lead);
  }

  /** Stops refreshing in the background. */
  @Override
  public void close() {
    closed = true;
    gauges.forEach(Instrumentation.Registration::close);
  }

  @Override
  public String toString() {
    return "SessionCache{" + name + "}";
  }
}
