package org.binarybackends;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * A download URL anyone holding it can use until {@link #expiresAt()}. The URL is a bearer
 * credential: {@link #toString()} and {@link #redacted()} hide its query, where the signature is.
 * Immutable.
 */
public final class SignedUrl {
  private final URI uri;
  private final Instant expiresAt;

  public SignedUrl(URI uri, Instant expiresAt) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The URL itself, signature included: hand it to the device, never to a log. */
  public URI uri() {
    return uri;
  }

  /**
   * The instant the URL really stops working: never later than the truth, even when the storage
   * ends it earlier than the TTL asked for (for example with the session that signed it).
   */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** The URL with its query replaced by {@code ***}: what a log may show. */
  public String redacted() {
    return redact(uri.toString());
  }

  /** Replaces the query of a URL (everything after {@code ?}) by {@code ***}. */
  public static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q + 1) + "***";
  }

  @Override
  public String toString() {
    return "SignedUrl{" + redacted() + ", expiresAt=" + expiresAt + "}";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SignedUrl && ((SignedUrl) o).uri.equals(uri) && ((SignedUrl) o).expiresAt.equals(expiresAt);
  }

  @Override
  public int hashCode() {
    return uri.hashCode() * 31 + expiresAt.hashCode();
  }
}
