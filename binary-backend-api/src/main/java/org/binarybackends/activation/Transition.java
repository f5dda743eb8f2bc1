package org.binarybackends.activation;

import java.time.Instant;
import java.util.Objects;

/**
 * One entry of an organization's audit trail: who or what moved its state, when, and why.
 *
 * @param at when
 * @param actor who or what: a user id given by the embedding service, or {@code activator}
 * @param change what changed, e.g. {@code upload configuration PENDING -> ACTIVE}
 * @param reason why
 */
public record Transition(Instant at, String actor, String change, String reason) {
  public Transition {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(reason, "reason");
  }
}
