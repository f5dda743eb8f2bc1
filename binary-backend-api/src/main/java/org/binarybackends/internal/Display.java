package org.binarybackends.internal;

/**
 * Renders a caller's value for an error message: quoted, control characters escaped, and cut
 * after {@value #MAX_CHARS} characters so that a 100 KB bogus key does not become a 100 KB message.
 */
public final class Display {
  private static final int MAX_CHARS = 80;

  private Display() {}

  /** The value as it should appear in a message; {@code null} for a missing value. */
  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_CHARS) + 8).append('"');
    int shown = 0;
    for (int i = 0; i < value.length() && shown < MAX_CHARS; i++, shown++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || Character.isSurrogate(c) && !isPairedAt(value, i)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    out.append('"');
    if (value.length() > MAX_CHARS) {
      out.append("... (").append(value.length()).append(" characters)");
    }
    return out.toString();
  }

  private static boolean isPairedAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
