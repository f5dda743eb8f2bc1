package org.binarybackends.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Violation;

/**
 * An S3 general purpose bucket name, valid by every rule of S3's bucket naming: 3 to 63
 * characters of lower-case letters, digits, {@code .} and {@code -}; starting and ending with a
 * letter or digit; no {@code ..}; not shaped like an IP address; none of the prefixes
 * {@code xn--}, {@code sthree-}, {@code amzn-s3-demo-} and none of the suffixes {@code -s3alias},
 * {@code --ol-s3}, {@code .mrap}, {@code --x-s3}, {@code --table-s3} that S3 reserves. Immutable.
 */
public final class BucketName {
  private static final Pattern IP = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  private static final List<String> RESERVED_PREFIXES = List.of("xn--", "sthree-", "amzn-s3-demo-");
  private static final List<String> RESERVED_SUFFIXES = List.of("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3");

  private final String value;

  private BucketName(String value) {
    this.value = value;
  }

  /**
   * The bucket {@code name}.
   *
   * @throws InvalidInputException naming field {@code bucket} and every rule the name breaks
   */
  public static BucketName of(String name) {
    List<Violation> v = violations("bucket", name);
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return new BucketName(name);
  }

  static List<Violation> violations(String field, String name) {
    List<Violation> out = new ArrayList<>();
    if (name == null) {
      out.add(Violation.missing(field, "an S3 bucket name"));
      return out;
    }
    if (name.length() < 3 || name.length() > 63) {
      out.add(Violation.of(field, name, "3 to 63 characters; it has " + name.length()));
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-')) {
        out.add(Violation.of(field, name, "only lower-case letters, digits, '.' and '-'; found '" + c + "' at index " + i));
        break;
      }
    }
    if (!name.isEmpty() && !isAlphanumeric(name.charAt(0))) {
      out.add(Violation.of(field, name, "a name that starts with a lower-case letter or a digit"));
    }
    if (!name.isEmpty() && !isAlphanumeric(name.charAt(name.length() - 1))) {
      out.add(Violation.of(field, name, "a name that ends with a lower-case letter or a digit"));
    }
    if (name.contains("..")) {
      out.add(Violation.of(field, name, "no two adjacent periods"));
    }
    if (IP.matcher(name).matches()) {
      out.add(Violation.of(field, name, "a name not formatted as an IP address"));
    }
    for (String p : RESERVED_PREFIXES) {
      if (name.startsWith(p)) {
        out.add(Violation.of(field, name, "a name not starting with '" + p + "', which S3 reserves"));
      }
    }
    for (String s : RESERVED_SUFFIXES) {
      if (name.endsWith(s)) {
        out.add(Violation.of(field, name, "a name not ending with '" + s + "', which S3 reserves"));
      }
    }
    return out;
  }

  private static boolean isAlphanumeric(char c) {
    return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
  }

  public String value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BucketName && ((BucketName) o).value.equals(value);
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
