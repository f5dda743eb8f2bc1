package org.binarybackends;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/** A SHA-256 digest: 32 bytes, written as 64 lower-case hex digits. Immutable; compared by value. */
public final class Sha256Digest {
  public static final int BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private Sha256Digest(byte[] bytes) {
    this.bytes = bytes;
  }

  /**
   * The digest written as {@code hex} (upper or lower case).
   *
   * @throws InvalidInputException unless it is exactly 64 hex digits
   */
  @JsonCreator
  public static Sha256Digest ofHex(String hex) {
    if (hex == null) {
      throw new InvalidInputException(java.util.List.of(Violation.missing("sha256", "64 hex digits")));
    }
    if (hex.length() != 2 * BYTES) {
      throw InvalidInputException.of("sha256", hex, "exactly 64 hex digits (a SHA-256); it has " + hex.length() + " characters");
    }
    for (int i = 0; i < hex.length(); i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        throw InvalidInputException.of("sha256", hex, "only hex digits 0-9 a-f A-F; found '" + hex.charAt(i) + "' at index " + i);
      }
    }
    return new Sha256Digest(HEX.parseHex(hex));
  }

  /**
   * The digest {@code bytes}, as {@link MessageDigest#digest()} returns it.
   *
   * @throws InvalidInputException unless it is 32 bytes
   */
  public static Sha256Digest of(byte[] bytes) {
    if (bytes == null || bytes.length != BYTES) {
      throw InvalidInputException.of("sha256", bytes == null ? null : bytes.length + " bytes", "exactly 32 bytes");
    }
    return new Sha256Digest(bytes.clone());
  }

  /** The digest of a finished {@code SHA-256} {@link MessageDigest}. */
  public static Sha256Digest of(MessageDigest sha256) {
    return new Sha256Digest(sha256.digest());
  }

  /** 64 lower-case hex digits. */
  @JsonValue
  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** Standard base64, as S3's {@code x-amz-checksum-sha256} carries it. */
  public String base64() {
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** The 32 bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Sha256Digest && MessageDigest.isEqual(((Sha256Digest) o).bytes, bytes);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
