package org.binarybackends;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The key of a binary within an organization, as S3 would see it. Valid when it is
 *
 * <ul>
 *   <li>1 to {@value #MAX_UTF8_BYTES} bytes in UTF-8 (S3's limit), and well-formed Unicode (no
 *       unpaired surrogate, which UTF-8 cannot encode);
 *   <li>relative: it does not start with {@code /};
 *   <li>free of {@code .} and {@code ..} segments between slashes, which HTTP clients and proxies
 *       rewrite;
 *   <li>free of control characters (U+0000 to U+001F and U+007F to U+009F).
 * </ul>
 *
 * <p>Keys order by their UTF-8 bytes, unsigned, as S3 lists them (not by Java's UTF-16
 * {@code String.compareTo}, which sorts U+FFFD after an emoji). Immutable; compared by value.
 */
public final class ObjectKey implements Comparable<ObjectKey> {
  public static final int MAX_UTF8_BYTES = 1024;

  private final String value;
  private final byte[] utf8;

  private ObjectKey(String value, byte[] utf8) {
    this.value = value;
    this.utf8 = utf8;
  }

  /**
   * The key {@code value}.
   *
   * @throws InvalidInputException naming each rule the value breaks
   */
  @JsonCreator
  public static ObjectKey of(String value) {
    List<Violation> violations = violations("key", value, false);
    if (!violations.isEmpty()) {
      throw new InvalidInputException(violations);
    }
    return new ObjectKey(value, value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key whose UTF-8 encoding is {@code utf8}, as a backend reads it back from storage.
   *
   * @throws InvalidInputException if the bytes are not UTF-8 or not a valid key
   */
  public static ObjectKey ofUtf8(byte[] utf8) {
    String value = new String(utf8, StandardCharsets.UTF_8);
    if (!Arrays.equals(value.getBytes(StandardCharsets.UTF_8), utf8)) {
      throw InvalidInputException.of("key", value, "well-formed UTF-8");
    }
    return of(value);
  }

  /**
   * Checks a listing prefix: the rules of a key, except that the empty prefix (everything) and a
   * prefix ending in an incomplete {@code .} or {@code ..} segment are allowed.
   *
   * @return the prefix
   * @throws InvalidInputException naming each rule the prefix breaks
   */
  static String checkPrefix(String prefix) {
    List<Violation> violations = violations("prefix", prefix, true);
    if (!violations.isEmpty()) {
      throw new InvalidInputException(violations);
    }
    return prefix;
  }

  private static List<Violation> violations(String field, String value, boolean prefix) {
    List<Violation> out = new ArrayList<>(2);
    if (value == null) {
      out.add(Violation.missing(field, prefix ? "a prefix, \"\" for all keys" : "a key"));
      return out;
    }
    if (value.isEmpty() && !prefix) {
      out.add(Violation.of(field, value, "1 to " + MAX_UTF8_BYTES + " bytes in UTF-8; the empty key is not a key"));
      return out;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c)) {
        out.add(Violation.of(field, value, "no control characters (U+0000-U+001F, U+007F-U+009F); found "
            + String.format("U+%04X", (int) c) + " at index " + i));
        break;
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        out.add(Violation.of(field, value, "well-formed Unicode; found an unpaired surrogate at index " + i));
        break;
      }
    }
    int bytes = utf8Length(value);
    if (bytes > MAX_UTF8_BYTES) {
      out.add(Violation.of(field, value, "at most " + MAX_UTF8_BYTES + " bytes in UTF-8 (S3's limit); it has " + bytes));
    }
    if (value.startsWith("/")) {
      out.add(Violation.of(field, value, "a relative key: it must not start with '/'"));
    }
    String[] segments = value.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if ((s.equals(".") || s.equals("..")) && !(prefix && last)) {
        out.add(Violation.of(field, value, "no '.' or '..' segment (path traversal; HTTP clients rewrite them)"));
        break;
      }
    }
    return out;
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  @JsonValue
  public String value() {
    return value;
  }

  /** The key's UTF-8 bytes (a copy). */
  public byte[] utf8() {
    return utf8.clone();
  }

  /**
   * The key as a URL path: its UTF-8 bytes with everything but {@code A-Z a-z 0-9 - . _ ~} and
   * {@code /} percent-encoded (upper-case hex), so that spaces, {@code +}, {@code %}, {@code ?},
   * {@code #} and any Unicode survive every HTTP client and proxy unchanged.
   */
  public String uriPath() {
    StringBuilder out = new StringBuilder(utf8.length + 16);
    for (byte b : utf8) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~/".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(UPPER_HEX[c >>> 4]).append(UPPER_HEX[c & 0xf]);
      }
    }
    return out.toString();
  }

  private static final char[] UPPER_HEX = "0123456789ABCDEF".toCharArray();

  /** Whether this key starts with {@code prefix}. */
  public boolean startsWith(String prefix) {
    return value.startsWith(prefix);
  }

  /** Orders by UTF-8 bytes, unsigned: the order S3 lists keys in. */
  @Override
  public int compareTo(ObjectKey other) {
    return Arrays.compareUnsigned(utf8, other.utf8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ObjectKey && ((ObjectKey) o).value.equals(value);
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
