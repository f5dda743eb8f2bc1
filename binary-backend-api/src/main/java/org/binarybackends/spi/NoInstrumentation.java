package org.binarybackends.spi;

import java.util.function.ToDoubleFunction;

/** {@link Instrumentation#none()}: every meter is one shared no-op. */
enum NoInstrumentation implements Instrumentation, Instrumentation.Counter, Instrumentation.Timer,
    Instrumentation.Registration {
  INSTANCE;

  @Override
  public Counter counter(String name, String description, String baseUnit, MetricTags tags) {
    return this;
  }

  @Override
  public Timer timer(String name, String description, MetricTags tags) {
    return this;
  }

  @Override
  public <T> Registration gauge(String name, String description, String baseUnit, MetricTags tags, T owner,
      ToDoubleFunction<T> value) {
    return this;
  }

  @Override
  public void increment(double amount) {}

  @Override
  public void record(long nanos) {}

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "Instrumentation.none()";
  }
}
