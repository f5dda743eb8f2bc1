package org.binarybackends;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * How to store one binary: what its SHA-256 must be and how long it is, when the caller knows.
 * Immutable; built by {@link #builder()}.
 */
public final class PutOptions {
  private static final PutOptions NONE = new PutOptions(null, -1);

  private final Sha256Digest expectedSha256;
  private final long contentLength;

  private PutOptions(Sha256Digest expectedSha256, long contentLength) {
    this.expectedSha256 = expectedSha256;
    this.contentLength = contentLength;
  }

  /** No expectation: store whatever arrives, of unknown length. */
  public static PutOptions none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The SHA-256 the content must have; if it differs, nothing is stored. */
  public Optional<Sha256Digest> expectedSha256() {
    return Optional.ofNullable(expectedSha256);
  }

  /** The exact length the content must have, if declared; if it differs, nothing is stored. */
  public OptionalLong contentLength() {
    return contentLength < 0 ? OptionalLong.empty() : OptionalLong.of(contentLength);
  }

  @Override
  public String toString() {
    return "PutOptions{expectedSha256=" + expectedSha256 + ", contentLength=" + contentLength() + "}";
  }

  /** Builds {@link PutOptions}; not thread-safe. */
  public static final class Builder {
    private Sha256Digest expectedSha256;
    private long contentLength = -1;

    private Builder() {}

    /** The SHA-256 the content must have. */
    public Builder expectedSha256(Sha256Digest digest) {
      this.expectedSha256 = digest;
      return this;
    }

    /**
     * The SHA-256 the content must have, as 64 hex digits.
     *
     * @throws InvalidInputException unless it is 64 hex digits
     */
    public Builder expectedSha256(String hex) {
      return expectedSha256(Sha256Digest.ofHex(hex));
    }

    /**
     * The exact length of the content.
     *
     * @throws InvalidInputException if negative
     */
    public Builder contentLength(long length) {
      if (length < 0) {
        throw InvalidInputException.of("contentLength", Long.toString(length), "a length >= 0 bytes");
      }
      this.contentLength = length;
      return this;
    }

    public PutOptions build() {
      return new PutOptions(expectedSha256, contentLength);
    }
  }
}
