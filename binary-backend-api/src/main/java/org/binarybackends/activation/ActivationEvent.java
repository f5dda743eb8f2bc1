package org.binarybackends.activation;

import java.util.Objects;

/**
 * A transition of an organization's state, as listeners see it: for metrics, audit logs,
 * notifications to the customer ("your bucket is now active", "downloads are failing").
 *
 * @param transition who or what changed what, when, and why
 * @param state the organization's state after the change, as stored
 */
public record ActivationEvent(Transition transition, OrganizationState state) {
  public ActivationEvent {
    Objects.requireNonNull(transition, "transition");
    Objects.requireNonNull(state, "state");
  }
}
