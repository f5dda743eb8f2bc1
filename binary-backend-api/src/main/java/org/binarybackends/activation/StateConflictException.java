package org.binarybackends.activation;

import org.binarybackends.BinaryBackendException;
import org.binarybackends.OrganizationId;

/**
 * A compare-and-set found another version than the one expected: another caller or service
 * instance changed the organization's state (or one of its notes) meanwhile. Read it again and
 * recompute the change.
 */
public final class StateConflictException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final long expected;
  private final long actual;

  public StateConflictException(OrganizationId organization, long expected, long actual) {
    this("state of organization " + organization, expected, actual);
  }

  private StateConflictException(String what, long expected, long actual) {
    super(what + " is at version " + actual + ", not " + expected + ": it was changed meanwhile; read it again");
    this.expected = expected;
    this.actual = actual;
  }

  /** A conflict on the note {@code name} of {@code organization} (see {@link NoteStore}). */
  public static StateConflictException ofNote(OrganizationId organization, String name, long expected, long actual) {
    return new StateConflictException("note " + name + " of organization " + organization, expected, actual);
  }

  public long expected() {
    return expected;
  }

  public long actual() {
    return actual;
  }
}
