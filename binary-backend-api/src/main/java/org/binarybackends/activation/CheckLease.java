package org.binarybackends.activation;

import java.util.Objects;
import org.binarybackends.OrganizationId;

/**
 * One instance's hold on one organization's check, from {@link CheckLeases}: while it lasts no
 * other instance checks the organization, and what the check found is stored only if it still holds.
 *
 * @param organization whose check it is
 * @param holder the service instance holding it
 * @param fencing a number one higher at every claim: a state written under an older lease is refused
 * @param attempts how many checks in a row found the staged configuration still pending (the backoff)
 */
public record CheckLease(OrganizationId organization, String holder, long fencing, int attempts) {
  public CheckLease {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(holder, "holder");
  }
}
