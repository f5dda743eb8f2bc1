package org.binarybackends;

import java.util.Objects;
import org.binarybackends.internal.Display;

/**
 * One refused value: the field (a dotted path for nested settings, e.g. {@code signingKeys[1].id}),
 * the value as it may be shown, and what is allowed.
 *
 * @param field the field's name or path
 * @param shownValue the value as quoted in messages ({@code "***"} for a secret), or {@code null}
 *     when the value was missing
 * @param allowed what would have been accepted: the limit, the pattern, the choices
 */
public record Violation(String field, String shownValue, String allowed) {
  public Violation {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(allowed, "allowed");
  }

  /** A violation of a value that may be shown, quoted and cut to a readable length. */
  public static Violation of(String field, String value, String allowed) {
    return new Violation(field, Display.quote(value), allowed);
  }

  /** A violation of a secret value: the value itself is never shown. */
  public static Violation ofSecret(String field, String allowed) {
    return new Violation(field, "***", allowed);
  }

  /** A missing value. */
  public static Violation missing(String field, String allowed) {
    return new Violation(field, null, allowed);
  }

  @Override
  public String toString() {
    return field + (shownValue == null ? " is missing" : " = " + shownValue) + " (allowed: " + allowed + ")";
  }
}
