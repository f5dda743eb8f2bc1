package org.binarybackends.spi;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the embedding service shares with every backend it creates: the clock, and platform-wide
 * services a provider needs beyond one organization's settings (for S3, the platform's account,
 * credentials and shared HTTP client), looked up by type. Immutable; built by {@link #builder()}.
 */
public final class BackendContext {
  private static final BackendContext DEFAULT = builder().build();

  private final Clock clock;
  private final Instrumentation instrumentation;
  private final Map<Class<?>, Object> services;

  private BackendContext(Builder b) {
    this.clock = b.clock;
    this.instrumentation = b.instrumentation;
    this.services = Map.copyOf(b.services);
  }

  /** The system UTC clock and no service. */
  public static BackendContext defaults() {
    return DEFAULT;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The clock every expiry and timestamp is computed from; tests control it. */
  public Clock clock() {
    return clock;
  }

  /** The platform-wide service of {@code type}, if the embedding service provided one. */
  /**
   * Where backends report their meters ({@link Instrumentation#none()} unless set): counters and
   * gauges of what they do beyond the operations themselves, which the entry point measures.
   */
  public Instrumentation instrumentation() {
    return instrumentation;
  }

  public <T> Optional<T> service(Class<T> type) {
    return Optional.ofNullable(services.get(type)).map(type::cast);
  }

  /** A builder holding this context's clock and services, to add or replace some. */
  public Builder toBuilder() {
    Builder b = new Builder().clock(clock).instrumentation(instrumentation);
    b.services.putAll(services);
    return b;
  }

  /** Builds a {@link BackendContext}; not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private Instrumentation instrumentation = Instrumentation.none();
    private final Map<Class<?>, Object> services = new HashMap<>();

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Provides {@code service} to the providers that look up {@code type}. */
    /** Where backends report their meters ({@link Instrumentation#none()} unless set). */
    public Builder instrumentation(Instrumentation instrumentation) {
      this.instrumentation = Objects.requireNonNull(instrumentation, "instrumentation");
      return this;
    }

    public <T> Builder service(Class<T> type, T service) {
      services.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(service, "service"));
      return this;
    }

    public BackendContext build() {
      return new BackendContext(this);
    }
  }
}
