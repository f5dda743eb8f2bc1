package org.binarybackends.activation.internal;

import java.time.Duration;
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
import org.binarybackends.activation.CheckLease;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.OrganizationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How often organizations are checked, and the threads that check them: after a check, pending
 * configurations with backoff, active ones at the policy's interval, degraded ones more often, all
 * with jitter ({@link #after}); every tick, the checks due are claimed from the {@link CheckLeases}
 * and run, several at once ({@link #runDue}). Where each organization's next check is kept (this
 * process, or the database for every instance) is the leases' business. Thread-safe.
 */
final class CheckSchedule implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckSchedule.class);
  /** How long {@link #close} waits for checks in progress. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final ActivationPolicy policy;
  private final Set<OrganizationId> running = ConcurrentHashMap.newKeySet();
  private volatile ScheduledExecutorService ticker;
  private volatile ExecutorService workers;
  private volatile int parallel = Integer.MAX_VALUE;

  /**
   * When an organization is checked next.
   *
   * @param in how long from now; empty: not until something is registered
   * @param attempts how many checks in a row found its staged configuration pending
   */
  record Next(Optional<Duration> in, int attempts) {}

  CheckSchedule(ActivationPolicy policy) {
    this.policy = policy;
  }

  /** When to check an organization next after a check left it in state {@code s}. */
  Next after(OrganizationState s, int attempts) {
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
      return new Next(Optional.empty(), 0);
    }
    if (s.active().isPresent() && s.active().get().degraded()) {
      delay = delay.compareTo(policy.degradedInterval()) < 0 ? delay : policy.degradedInterval();
    }
    return new Next(Optional.of(jittered(delay)), attempts);
  }

  /** When to try again after a check failed unexpectedly (its state unreadable, say). */
  Next afterFailure(int attempts) {
    return new Next(Optional.of(jittered(policy.pendingFirstDelay())), attempts);
  }

  private Duration jittered(Duration d) {
    double factor = 1 + policy.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofNanos((long) (d.toNanos() * factor));
  }

  /**
   * Claims the checks due now from {@code leases} and runs {@code check} on each. Before {@link
   * #start}, on the calling thread, done when this returns (tests with a manual clock). After, on
   * the worker threads, as many as are free: one storage that does not answer holds up no other
   * organization.
   *
   * @return how many checks were run or started
   */
  int runDue(CheckLeases leases, String holder, Consumer<CheckLease> check) {
    ExecutorService pool = workers;
    int free = pool == null ? Integer.MAX_VALUE : parallel - running.size();
    if (free <= 0) {
      return 0;
    }
    int started = 0;
    for (CheckLease lease : leases.claimDue(holder, free, policy.checkLease())) {
      OrganizationId org = lease.organization();
      running.add(org);
      Runnable task = () -> {
        try {
          check.accept(lease);
        } catch (RuntimeException failure) {
          LOG.warn("Checking organization {} failed; will retry", org, failure);
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
          running.remove(org); // the lease lapses; another instance, or this one restarted, takes it
        }
      }
    }
    return started;
  }

  /**
   * Every {@code tickEvery} runs {@code tick} (which runs what is due), {@code parallelChecks}
   * organizations at once, until {@link #close}.
   */
  synchronized void start(Duration tickEvery, int parallelChecks, Runnable tick) {
    if (ticker != null) {
      return;
    }
    if (parallelChecks < 1) {
      throw InvalidInputException.of("parallelChecks", Integer.toString(parallelChecks), "at least 1");
    }
    parallel = parallelChecks;
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
    ticker.scheduleWithFixedDelay(() -> {
      try {
        tick.run();
      } catch (RuntimeException e) { // the store unreachable, say: the next tick tries again
        LOG.warn("Looking for due checks failed: {}", e.toString());
      }
    }, tickEvery.toMillis(), tickEvery.toMillis(), TimeUnit.MILLISECONDS);
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
