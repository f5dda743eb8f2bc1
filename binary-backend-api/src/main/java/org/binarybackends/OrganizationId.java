package org.binarybackends;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The id of an organization on the platform (a UUID there). Accepted when it is valid both as an
 * STS {@code ExternalId} and inside the IAM role name {@code binary_backend_<org>_<role name>}:
 *
 * <ul>
 *   <li>{@value #MIN_LENGTH} to 38 ({@link #MAX_LENGTH}) characters: an {@code ExternalId} has at least 2,
 *       and {@code binary_backend_} (15) + id + {@code _} (1) + a role name of up to 10 must stay
 *       within IAM's 64-character role-name limit;
 *   <li>only {@code A-Z a-z 0-9 _ + = , . @ -}: the characters both IAM role names and external ids
 *       allow.
 * </ul>
 *
 * <p>Case-sensitive, as IAM compares external ids. Immutable; compared by value.
 */
public final class OrganizationId implements Comparable<OrganizationId> {
  public static final int MIN_LENGTH = 2;
  public static final int MAX_LENGTH = 64 - "binary_backend_".length() - "_".length() - 10;

  private final String value;

  private OrganizationId(String value) {
    this.value = value;
  }

  /**
   * The organization id {@code value}.
   *
   * @throws InvalidInputException naming each rule the value breaks
   */
  @JsonCreator
  public static OrganizationId of(String value) {
    List<Violation> violations = violations("organizationId", value);
    if (!violations.isEmpty()) {
      throw new InvalidInputException(violations);
    }
    return new OrganizationId(value);
  }

  static List<Violation> violations(String field, String value) {
    List<Violation> out = new ArrayList<>(2);
    if (value == null) {
      out.add(Violation.missing(field, "an organization id"));
      return out;
    }
    if (value.length() < MIN_LENGTH || value.length() > MAX_LENGTH) {
      out.add(Violation.of(field, value, MIN_LENGTH + " to " + MAX_LENGTH + " characters (it has "
          + value.length() + "): an STS ExternalId has at least 2, and binary_backend_<org>_<role name of up to 10>"
          + " must fit IAM's 64-character role-name limit"));
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!isAllowed(c)) {
        out.add(Violation.of(field, value, "only the characters A-Z a-z 0-9 _ + = , . @ - (valid in both an IAM role name"
            + " and an STS ExternalId); found " + String.format("U+%04X", (int) c) + " at index " + i));
        break;
      }
    }
    return out;
  }

  private static boolean isAllowed(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "_+=,.@-".indexOf(c) >= 0;
  }

  @JsonValue
  public String value() {
    return value;
  }

  @Override
  public int compareTo(OrganizationId other) {
    return value.compareTo(other.value);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OrganizationId && ((OrganizationId) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return value;
  }
}
