package org.binarybackends.spi;

import java.util.function.ToDoubleFunction;

/**
 * Where the library and backends report what they do, in numbers: counters, timers and gauges, named
 * and tagged, with no metrics library's type in sight. A binding maps it to one (the {@code
 * binary-backend-micrometer} module to Micrometer); without one, {@link #none()} drops everything at
 * no cost. Given to backends through {@link BackendContext#instrumentation()}; set once on the entry
 * point ({@code BinaryBackends.builder().instrumentation(...)}).
 *
 * <p>Names are dotted lower case, as Micrometer's conventions have them ({@code binary.backend.put});
 * a binding renames them for its registry. Tags are of low cardinality only: {@link MetricTags}
 * refuses keys that would name an organization or an object key. One organization's trouble is found
 * through the activation events and through the logs, which carry the organization and the backend
 * instance in SLF4J's MDC ({@link #MDC_ORGANIZATION}, {@link #MDC_BACKEND}) during every operation.
 *
 * <p>Implementations are thread-safe, and fast enough to be called on every operation: the library
 * asks for a counter or a timer each time rather than holding one per organization.
 */
public interface Instrumentation {
  /** The MDC key holding the organization an operation is for, while it runs. */
  String MDC_ORGANIZATION = "binarybackends.organization";
  /** The MDC key holding the backend instance an operation runs on, while it runs. */
  String MDC_BACKEND = "binarybackends.backend";

  /** Drops everything: what a service without metrics gets. */
  static Instrumentation none() {
    return NoInstrumentation.INSTANCE;
  }

  /** A monotonic count. */
  interface Counter {
    /** Adds {@code amount} (not negative). */
    void increment(double amount);

    /** Adds one. */
    default void increment() {
      increment(1);
    }
  }

  /** A distribution of durations. */
  interface Timer {
    /** Records one event that lasted {@code nanos} nanoseconds. */
    void record(long nanos);
  }

  /** A gauge's registration: closing it removes the gauge (its owner was closed). Idempotent. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * The counter of this name and tags, made on first use.
   *
   * @param baseUnit {@code "bytes"}, say; null for a count of events
   */
  Counter counter(String name, String description, String baseUnit, MetricTags tags);

  /** The timer of this name and tags, made on first use. */
  Timer timer(String name, String description, MetricTags tags);

  /**
   * A gauge reading {@code value} of {@code owner} whenever it is read, until the registration is
   * closed. The binding holds {@code owner} strongly. A second gauge of the same name and tags while
   * the first is registered is not one the binding must keep: aggregate first (a sum over the live
   * caches of every backend, say) and register once.
   */
  <T> Registration gauge(String name, String description, String baseUnit, MetricTags tags, T owner,
      ToDoubleFunction<T> value);
}
