package org.binarybackends;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A value was refused before anything was done: nothing was stored, changed or sent. Lists every
 * violation found, not only the first, each with its field, the value (never a secret) and what is
 * allowed.
 */
public class InvalidInputException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final List<Violation> violations;

  public InvalidInputException(List<Violation> violations) {
    this("invalid input", violations);
  }

  protected InvalidInputException(String what, List<Violation> violations) {
    super(what + ": " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidInputException needs at least one violation");
    }
    this.violations = List.copyOf(violations);
  }

  /**
   * One invalid input, for the common case of a single bad value: the value is quoted, cut to a
   * readable length and its control characters escaped (never pass a secret here).
   */
  public static InvalidInputException of(String field, String value, String allowed) {
    return new InvalidInputException(List.of(value == null ? Violation.missing(field, allowed)
        : Violation.of(field, value, allowed)));
  }

  /** Every violation, in the order they were found; never empty. */
  public List<Violation> violations() {
    return violations;
  }
}
