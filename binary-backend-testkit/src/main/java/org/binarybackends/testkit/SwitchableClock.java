package org.binarybackends.testkit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * A clock that reads whichever clock the current test set with {@link #use(Clock)}: for servers
 * started once per test class (a local STS, an edge emulator) whose time each test controls, e.g.
 * with a new {@link ManualClock}. The system UTC clock until set. Thread-safe.
 */
public final class SwitchableClock extends Clock {
  private volatile Clock current = Clock.systemUTC();

  /** Reading the system UTC clock until {@link #use} says otherwise. */
  public SwitchableClock() {}

  /** From now on, reads {@code clock}. */
  public void use(Clock clock) {
    this.current = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public ZoneId getZone() {
    return current.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return current.withZone(zone);
  }

  @Override
  public Instant instant() {
    return current.instant();
  }
}
