package org.binarybackends.activation;

import java.util.Objects;
import java.util.Optional;

/**
 * The state of one part of a configuration: its status, its last check, and the counts of
 * consecutive definite failures and of consecutive passes that drive degrading and recovering.
 *
 * @param status pending, active or degraded
 * @param lastCheck the last verification, if any ran
 * @param definiteFailures consecutive failures that were not retryable, since the last pass
 * @param passes consecutive passes, since the last definite failure
 */
public record PartState(PartStatus status, Optional<CheckOutcome> lastCheck, int definiteFailures, int passes) {
  public PartState {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(lastCheck, "lastCheck");
  }

  /** A part never checked. */
  public static PartState pending() {
    return new PartState(PartStatus.PENDING, Optional.empty(), 0, 0);
  }

  /** Why it is where it is: the last check's reason, or that none ran yet. */
  public String reason() {
    return lastCheck.map(CheckOutcome::reason).orElse("not verified yet");
  }
}
