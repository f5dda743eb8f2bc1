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

  /** At most this many violations are kept and shown; the rest are counted ("and N more"). */
  public static final int MAX_LISTED = 40;

  private final List<Violation> violations;
  private final int omitted;

  public InvalidInputException(List<Violation> violations) {
    this("invalid input", violations);
  }

  protected InvalidInputException(String what, List<Violation> violations) {
    super(message(what, violations));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidInputException needs at least one violation");
    }
    // a crafted document can hold a hundred thousand mistakes: keep the message and the list readable
    this.violations = List.copyOf(violations.subList(0, Math.min(violations.size(), MAX_LISTED)));
    this.omitted = violations.size() - this.violations.size();
  }

  private static String message(String what, List<Violation> violations) {
    String listed = violations.stream().limit(MAX_LISTED).map(Violation::toString).collect(Collectors.joining("; "));
    return what + ": " + listed + (violations.size() > MAX_LISTED
        ? "; and " + (violations.size() - MAX_LISTED) + " more" : "");
  }

  /** How many violations were found beyond the {@value #MAX_LISTED} listed. */
  public int omitted() {
    return omitted;
  }

  /**
   * One invalid input, for the common case of a single bad value: the value is quoted, cut to a
   * readable length and its control characters escaped (never pass a secret here).
   */
  public static InvalidInputException of(String field, String value, String allowed) {
    return new InvalidInputException(List.of(value == null ? Violation.missing(field, allowed)
        : Violation.of(field, value, allowed)));
  }

  /** The violations, in the order they were found, at most {@value #MAX_LISTED}; never empty. */
  public List<Violation> violations() {
    return violations;
  }
}
