package org.binarybackends.testkit;

import java.time.Duration;
import java.time.Instant;
import org.binarybackends.activation.CheckLeases;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStateStore;

/** The single-instance leases, as every store without its own gets them, on a manual clock. */
class LocalCheckLeasesContractTest extends CheckLeasesContract {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));

  @Override
  protected OrganizationStateStore createStore() {
    return new InMemoryStateStore();
  }

  @Override
  protected CheckLeases leasesOf(OrganizationStateStore store) {
    return CheckLeases.local(store, clock, Duration.ofSeconds(30));
  }

  @Override
  protected void passTime(Duration d) {
    clock.advance(d);
  }
}
