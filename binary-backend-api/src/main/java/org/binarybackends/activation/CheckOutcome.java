package org.binarybackends.activation;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of one verification of a part.
 *
 * @param at when it ran
 * @param passed whether every check passed
 * @param retryable for a failure: whether it may pass unchanged later (throttling, a timeout, a
 *     5xx) rather than needing someone to fix something; a retryable failure never degrades a part
 * @param reason what was found, in words a person can act on
 */
public record CheckOutcome(Instant at, boolean passed, boolean retryable, String reason) {
  public CheckOutcome {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(reason, "reason");
  }
}
