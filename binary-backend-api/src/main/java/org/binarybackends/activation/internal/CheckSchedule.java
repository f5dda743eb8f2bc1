package org.binarybackends.activation.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.OrganizationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When this service instance checks each organization, and the threads that do: pending
 * configurations with backoff, active ones at the policy's interval, degraded ones more often, all
 * with jitter. Apart from the activator (which decides what a check changes) so that how checks are
 * spread over time, and later over instances, changes in one place. Thread-safe.
 */
final class CheckSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckSchedule.class);
  /** How long {@link #close} waits for checks in progress. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final ActivationPolicy policy;
  private final Clock clock;
  private final ConcurrentHashMap<OrganizationId, Next> next = new ConcurrentHashMap<>();
  private final Set<OrganizationId> running = ConcurrentHashMap.newKeySet();
  private volatile ScheduledExecutorService ticker;
  private volatile ExecutorService workers;

  /** When an organization is checked next, and how many pending checks failed in a row. */
  private record Next(Instant at, int pendingAttempts) {}

  CheckSchedule(ActivationPolicy policy, Clock clock) {
    this.policy = policy;
    this.clock = clock;
  }

  /** Checks {@code organization} at the next tick (a configuration was just registered). */
  void now(OrganizationId organization) {
    next.put(organization, new Next(clock.instant(), 0));
  }

  /** Stops checking {@code organization} (it has no configuration left). */
  void remove(OrganizationId organization) {
    next.remove(organization);
  }

  /** Sets the next check of {@code s}'s organization by the state a check just left it in. */
  void after(OrganizationState s) {
    Next previous = next.get(s.organization());
    int attempts = previous == null ? 0 : previous.pendingAttempts();
    Duration delay;
    if (s.staged().isPresent() && !s.staged().get().fullyActive()) {
      attempts++;
      delay = policy.pendingDelay(attempts);
    } else if (s.active().isPresent() && s.active().get().degraded()) {
      attempts = 0;
      delay = policy.degradedInterval();
    } else if (s.active().isPresent()) {
      attempts = 0;
      delay = policy.activeInterval();
    } else {
      next.remove(s.organization());
      return;
    }
    if (s.active().isPresent() && s.active().get().degraded()) {
      delay = delay.compareTo(policy.degradedInterval()) < 0 ? delay : policy.degradedInterval();
    }
    next.put(s.organization(), new Next(clock.instant().plus(jittered(delay)), attempts));
  }

  private Duration jittered(Duration d) {
    double factor = 1 + policy.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofNanos((long) (d.toNanos() * factor));
  }

  /** When {@code organization} is checked next, if it is scheduled. */
  Optional<Instant> next(OrganizationId organization) {
    return Optional.ofNullable(next.get(organization)).map(Next::at);
  }

  /**
   * Runs {@code check} for every organization due now. Before {@link #start}, on the calling thread,
   * done when this returns (tests with a manual clock). After, on the worker threads, several
   * organizations at once, skipping one whose check still runs: one storage that does not answer
   * holds up no other organization. A check that throws is tried again after the first pending delay.
   *
   * @return how many checks were run or started
   */
  int runDue(Consumer<OrganizationId> check) {
    Instant now = clock.instant();
    ExecutorService pool = workers;
    int started = 0;
    for (Map.Entry<OrganizationId, Next> e : new ArrayList<>(next.entrySet())) {
      OrganizationId org = e.getKey();
      if (e.getValue().at().isAfter(now) || !running.add(org)) {
        continue;
      }
      Runnable task = () -> {
        try {
          check.accept(org);
        } catch (RuntimeException failure) {
          LOG.warn("Checking organization {} failed; will retry", org, failure);
          next.put(org, new Next(now.plus(jittered(policy.pendingFirstDelay())), e.getValue().pendingAttempts()));
        } finally {
          running.remove(org);
        }
      };
      started++;
      if (pool == null) {
        task.run();
      } else {
        try {
          pool.execute(task);
        } catch (RejectedExecutionException closing) {
          running.remove(org);
        }
      }
    }
    return started;
  }

  /**
   * Schedules {@code configured} after the first pending delay (instances starting together do not
   * all check at once), and every {@code tick} runs {@code tick} (which runs what is due), {@code
   * parallelChecks} organizations at once, until {@link #close}.
   */
  synchronized void start(Duration tickEvery, int parallelChecks, Collection<OrganizationId> configured,
      Runnable tick) {
    if (ticker != null) {
      return;
    }
    if (parallelChecks < 1) {
      throw InvalidInputException.of("parallelChecks", Integer.toString(parallelChecks), "at least 1");
    }
    for (OrganizationId org : configured) {
      next.putIfAbsent(org, new Next(clock.instant().plus(jittered(policy.pendingFirstDelay())), 0));
    }
    AtomicInteger threads = new AtomicInteger();
    workers = Executors.newFixedThreadPool(parallelChecks, r -> {
      Thread t = new Thread(r, "binary-backends-check-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "binary-backends-activator");
      t.setDaemon(true);
      return t;
    });
    ticker.scheduleWithFixedDelay(tick, tickEvery.toMillis(), tickEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the ticks and waits, up to {@link #CLOSE_WAIT}, for the checks in progress to finish (then
   * interrupts them), so that nothing checks a backend closed after this returns.
   */
  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdown();
      ticker = null;
    }
    if (workers != null) {
      workers.shutdown();
      try {
        if (!workers.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("Checks still running {} after close: interrupting them", CLOSE_WAIT);
          workers.shutdownNow();
        }
      } catch (InterruptedException e) {
        workers.shutdownNow();
        Thread.currentThread().interrupt();
      }
      workers = null;
    }
  }
}
