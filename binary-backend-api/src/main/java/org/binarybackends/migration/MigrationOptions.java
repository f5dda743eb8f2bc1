package org.binarybackends.migration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Violation;

/** How a migration runs: how many copies at once, how fast, who asks. Immutable. */
public final class MigrationOptions {
  private final int concurrency;
  private final long bytesPerSecond;
  private final Duration leaseFor;
  private final int attempts;
  private final String actor;

  private MigrationOptions(Builder b) {
    this.concurrency = b.concurrency;
    this.bytesPerSecond = b.bytesPerSecond;
    this.leaseFor = b.leaseFor;
    this.attempts = b.attempts;
    this.actor = b.actor;
  }

  /** A builder; {@link Builder#actor} is required. */
  public static Builder builder(String actor) {
    return new Builder(actor);
  }

  /** Copies in flight at once (4 unless set). */
  public int concurrency() {
    return concurrency;
  }

  /** The limit on bytes read from the source per second, over all copies; 0 for none (the default). */
  public long bytesPerSecond() {
    return bytesPerSecond;
  }

  /**
   * How long the run's hold on the organization's migration lasts without being renewed (2 minutes
   * unless set): a run killed mid-way can be resumed, here or on another instance, once it lapses.
   */
  public Duration leaseFor() {
    return leaseFor;
  }

  /** How many times one binary's copy is tried before the run stops on it (3 unless set). */
  public int attempts() {
    return attempts;
  }

  /** Who asks, for the organization's history. */
  public String actor() {
    return actor;
  }

  @Override
  public String toString() {
    return "MigrationOptions{concurrency=" + concurrency + (bytesPerSecond > 0 ? ", " + bytesPerSecond + " B/s" : "")
        + ", lease " + leaseFor + ", attempts " + attempts + ", actor " + actor + "}";
  }

  /** Builds {@link MigrationOptions}. */
  public static final class Builder {
    private int concurrency = 4;
    private long bytesPerSecond;
    private Duration leaseFor = Duration.ofMinutes(2);
    private int attempts = 3;
    private final String actor;

    private Builder(String actor) {
      this.actor = actor;
    }

    /** 1 to 64 copies at once. */
    public Builder concurrency(int copies) {
      this.concurrency = copies;
      return this;
    }

    /** At most this many bytes read from the source per second (at least 64 KiB/s); 0 for no limit. */
    public Builder bytesPerSecond(long bytes) {
      this.bytesPerSecond = bytes;
      return this;
    }

    /** 1 second to 1 hour. */
    public Builder leaseFor(Duration lease) {
      this.leaseFor = lease;
      return this;
    }

    /** 1 to 10 attempts per binary. */
    public Builder attempts(int attempts) {
      this.attempts = attempts;
      return this;
    }

    /**
     * The options.
     *
     * @throws InvalidInputException naming every field out of range
     */
    public MigrationOptions build() {
      List<Violation> v = new ArrayList<>();
      if (actor == null || actor.isBlank()) {
        v.add(Violation.of("actor", actor, "who asks, for the audit trail"));
      }
      if (concurrency < 1 || concurrency > 64) {
        v.add(Violation.of("concurrency", Integer.toString(concurrency), "1 to 64"));
      }
      if (bytesPerSecond != 0 && bytesPerSecond < 64 << 10) {
        v.add(Violation.of("bytesPerSecond", Long.toString(bytesPerSecond), "0 (no limit) or at least 65536"));
      }
      if (leaseFor == null || leaseFor.compareTo(Duration.ofSeconds(1)) < 0 || leaseFor.compareTo(Duration.ofHours(1)) > 0) {
        v.add(Violation.of("leaseFor", String.valueOf(leaseFor), "1 second to 1 hour"));
      }
      if (attempts < 1 || attempts > 10) {
        v.add(Violation.of("attempts", Integer.toString(attempts), "1 to 10"));
      }
      if (!v.isEmpty()) {
        throw new InvalidInputException(v);
      }
      return new MigrationOptions(this);
    }
  }
}
