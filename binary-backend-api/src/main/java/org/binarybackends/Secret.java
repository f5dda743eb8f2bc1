package org.binarybackends;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * A value that must never be shown: a private key, an HMAC key, a password. {@link #toString()}
 * and its JSON form are {@value #REDACTED}; equality is checked in constant time. Immutable.
 *
 * <p>Reading {@value #REDACTED} back from JSON is refused, so that a configuration written out and
 * read again cannot silently replace a key with three asterisks.
 */
public final class Secret {
  public static final String REDACTED = "***";

  private final byte[] value;

  private Secret(byte[] value) {
    this.value = value;
  }

  /**
   * The secret {@code value}, kept as its UTF-8 bytes.
   *
   * @throws InvalidInputException if null, empty, or the redacted placeholder
   */
  @JsonCreator
  public static Secret of(String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidInputException(java.util.List.of(Violation.missing("secret", "a non-empty value")));
    }
    if (value.equals(REDACTED)) {
      throw new InvalidInputException(java.util.List.of(Violation.ofSecret("secret",
          "the real value; \"***\" is how a secret is written out, it cannot be read back")));
    }
    return new Secret(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The secret {@code bytes} (copied). */
  public static Secret ofBytes(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw new InvalidInputException(java.util.List.of(Violation.missing("secret", "a non-empty value")));
    }
    return new Secret(bytes.clone());
  }

  /**
   * The secret whose standard or URL-safe base64 form is {@code base64}.
   *
   * @throws InvalidInputException naming {@code field}, without its value, if it is not base64
   */
  public static Secret ofBase64(String field, String base64) {
    if (base64 == null || base64.isEmpty()) {
      throw new InvalidInputException(java.util.List.of(Violation.missing(field, "base64 bytes")));
    }
    try {
      byte[] bytes = base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(base64) : Base64.getDecoder().decode(base64);
      return ofBytes(bytes);
    } catch (IllegalArgumentException e) {
      // the decoder's message quotes the offending character: leave it out
      throw new InvalidInputException(java.util.List.of(Violation.ofSecret(field, "standard or URL-safe base64")));
    }
  }

  /** The value's bytes, a copy: use them, then drop them. */
  public byte[] reveal() {
    return value.clone();
  }

  /** The value as UTF-8 text. */
  public String revealUtf8() {
    return new String(value, StandardCharsets.UTF_8);
  }

  /** The length of the value in bytes (safe to show). */
  public int length() {
    return value.length;
  }

  @JsonValue
  @Override
  public String toString() {
    return REDACTED;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret && MessageDigest.isEqual(((Secret) o).value, value);
  }

  /** Constant: a hash of the value would leak something about it. */
  @Override
  public int hashCode() {
    return 0x5ec2e7;
  }
}
