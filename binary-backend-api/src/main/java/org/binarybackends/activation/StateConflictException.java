package org.binarybackends.activation;

import org.binarybackends.BinaryBackendException;
import org.binarybackends.OrganizationId;

/**
 * A compare-and-set found another version than the one expected: another caller or service
 * instance changed the organization meanwhile. Read the state again and recompute the change.
 */
public final class StateConflictException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final long expected;
  private final long actual;

  public StateConflictException(OrganizationId organization, long expected, long actual) {
    super("state of organization " + organization + " is at version " + actual + ", not " + expected
        + ": it was changed meanwhile; read it again");
    this.expected = expected;
    this.actual = actual;
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }
}
