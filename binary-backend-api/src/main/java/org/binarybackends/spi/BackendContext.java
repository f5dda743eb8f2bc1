package org.binarybackends.spi;

import java.time.Clock;
import java.util.Objects;

/**
 * What the embedding service shares with every backend it creates. Immutable; built by
 * {@link #builder()}.
 */
public final class BackendContext {
  private static final BackendContext DEFAULT = builder().build();

  private final Clock clock;

  private BackendContext(Builder b) {
    this.clock = b.clock;
  }

  /** The system UTC clock and nothing else. */
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

  /** Builds a {@link BackendContext}; not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public BackendContext build() {
      return new BackendContext(this);
    }
  }
}
