package org.binarybackends.defaultstore.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.binarybackends.ByteRange;
import org.binarybackends.InvalidInputException;

/**
 * Parses an HTTP {@code Range} header (RFC 9110, section 14.1.2) into a {@link ByteRange}.
 *
 * <ul>
 *   <li>no header, or a unit other than {@code bytes}: the whole binary (RFC 9110 says to ignore
 *       units one does not know);
 *   <li>several ranges ({@code bytes=0-1,5-6}): the whole binary, as RFC 9110 allows; a device
 *       resuming a download asks for one;
 *   <li>a malformed byte range ({@code bytes=abc}, {@code bytes=5-2}, {@code bytes=-0}):
 *       {@link Malformed}, answered 416.
 * </ul>
 */
final class HttpRange {
  private static final Pattern SPEC = Pattern.compile("(\\d{0,19})-(\\d{0,19})");

  private HttpRange() {}

  /** Thrown for a {@code bytes=} range that is not a valid byte range. */
  static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  static ByteRange parse(String header) throws Malformed {
    if (header == null) {
      return ByteRange.all();
    }
    String h = header.trim();
    int eq = h.indexOf('=');
    if (eq < 0) {
      throw new Malformed("no '=' in the Range header");
    }
    if (!h.substring(0, eq).trim().equalsIgnoreCase("bytes")) {
      return ByteRange.all();
    }
    String specs = h.substring(eq + 1).trim();
    if (specs.indexOf(',') >= 0) {
      return ByteRange.all();
    }
    Matcher m = SPEC.matcher(specs);
    if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) {
      throw new Malformed("not first-last, first- or -suffix");
    }
    try {
      if (m.group(1).isEmpty()) {
        return ByteRange.suffix(Long.parseLong(m.group(2)));
      }
      long first = Long.parseLong(m.group(1));
      return m.group(2).isEmpty() ? ByteRange.from(first) : ByteRange.of(first, Long.parseLong(m.group(2)));
    } catch (NumberFormatException | InvalidInputException e) {
      throw new Malformed(e.getMessage());
    }
  }
}
