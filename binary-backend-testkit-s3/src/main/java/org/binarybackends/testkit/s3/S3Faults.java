package org.binarybackends.testkit.s3;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The faults the embedded S3 server's front door injects: each rule matches requests and applies
 * its {@link S3Fault} a number of times (or always). Rules are tried in the order they were added;
 * the first with uses left applies. Thread-safe.
 *
 * <pre>{@code
 * s3.faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 2)
 *     .times(1).apply(S3Fault.cutRequestBodyAfter(64 * 1024));
 * s3.faults().denyFor(roleArn, S3Operation.DELETE_OBJECT);   // AccessDenied, for that role only
 * }</pre>
 */
public final class S3Faults {
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<java.util.function.Consumer<S3Request>> watchers = new CopyOnWriteArrayList<>();

  /** A rule, once given its fault. */
  public static final class Rule {
    private final Predicate<S3Request> matches;
    private final AtomicInteger left;
    private final AtomicInteger applied = new AtomicInteger();
    private S3Fault fault;

    private Rule(Predicate<S3Request> matches, int times) {
      this.matches = matches;
      this.left = new AtomicInteger(times);
    }

    /** How many requests it has applied to. */
    public int applied() {
      return applied.get();
    }

    boolean claim(S3Request request) {
      if (fault == null || !matches.test(request)) {
        return false;
      }
      while (true) {
        int n = left.get();
        if (n == 0) {
          return false;
        }
        if (n < 0 || left.compareAndSet(n, n - 1)) {
          applied.incrementAndGet();
          return true;
        }
      }
    }
  }

  /** Starts a rule for the requests {@code which} matches. */
  public Builder on(Predicate<S3Request> which) {
    return new Builder(which);
  }

  /** Answers {@code operations} with {@code AccessDenied} for the sessions of {@code roleArn} only. */
  public Rule denyFor(String roleArn, S3Operation... operations) {
    List<S3Operation> ops = List.of(operations);
    return on(r -> r.principal().filter(roleArn::equals).isPresent() && ops.contains(r.operation())).always()
        .apply(S3Fault.accessDenied());
  }

  /**
   * Shows {@code watcher} every request as it arrives, before any rule is tried; injects nothing
   * (to count requests, or to act between a client's request and the server's work on it). Until
   * {@link #clear()}.
   */
  public void watch(java.util.function.Consumer<S3Request> watcher) {
    watchers.add(java.util.Objects.requireNonNull(watcher, "watcher"));
  }

  /** Removes a rule. */
  public void remove(Rule rule) {
    rules.remove(rule);
  }

  /** Removes every rule and watcher. */
  public void clear() {
    rules.clear();
    watchers.clear();
  }

  /** Builds a rule. */
  public final class Builder {
    private final Predicate<S3Request> which;
    private int times = 1;

    private Builder(Predicate<S3Request> which) {
      this.which = which;
    }

    /** Applies to the next {@code n} matching requests (1 by default). */
    public Builder times(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("times must be at least 1: " + n);
      }
      times = n;
      return this;
    }

    /** Applies to every matching request until removed. */
    public Builder always() {
      times = -1;
      return this;
    }

    /** Adds the rule. */
    public Rule apply(S3Fault fault) {
      Rule rule = new Rule(which, times);
      rule.fault = fault;
      rules.add(rule);
      return rule;
    }
  }

  Optional<S3Fault> claim(S3Request request) {
    watchers.forEach(w -> w.accept(request));
    for (Rule rule : rules) {
      if (rule.claim(request)) {
        return Optional.of(rule.fault);
      }
    }
    return Optional.empty();
  }
}
