package org.binarybackends.defaultstore;

import java.time.Instant;
import java.util.Objects;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;

/**
 * What {@link DownloadTokens#check(String, String)} decided: serve this binary, or refuse (HTTP
 * 403) for a stated reason. Immutable.
 */
public final class DownloadAuthorization {
  /** Why a download is refused. */
  public enum Denial {
    /** The URL is not a signed download URL (a parameter missing or malformed). */
    MALFORMED,
    /** Signed with a key id that is not trusted (any more). */
    UNKNOWN_KEY,
    /** The signature does not match: the URL was changed, or is for another organization or key. */
    BAD_SIGNATURE,
    /** Signed correctly, but its expiry has passed. */
    EXPIRED
  }

  private final OrganizationId organization;
  private final ObjectKey key;
  private final Instant expiresAt;
  private final Denial denial;
  private final String reason;

  private DownloadAuthorization(OrganizationId organization, ObjectKey key, Instant expiresAt, Denial denial, String reason) {
    this.organization = organization;
    this.key = key;
    this.expiresAt = expiresAt;
    this.denial = denial;
    this.reason = reason;
  }

  static DownloadAuthorization granted(OrganizationId organization, ObjectKey key, Instant expiresAt) {
    return new DownloadAuthorization(organization, key, expiresAt, null, "granted");
  }

  static DownloadAuthorization denied(Denial denial, String reason) {
    return new DownloadAuthorization(null, null, null, Objects.requireNonNull(denial), reason);
  }

  public boolean granted() {
    return denial == null;
  }

  /** The organization whose binary to serve. @throws IllegalStateException if denied */
  public OrganizationId organization() {
    requireGranted();
    return organization;
  }

  /** The key of the binary to serve. @throws IllegalStateException if denied */
  public ObjectKey key() {
    requireGranted();
    return key;
  }

  /** When the URL expires. @throws IllegalStateException if denied */
  public Instant expiresAt() {
    requireGranted();
    return expiresAt;
  }

  /** Why it was refused; {@code null} when granted. */
  public Denial denial() {
    return denial;
  }

  /** A reason safe to send to the client: it never holds a secret. */
  public String reason() {
    return reason;
  }

  private void requireGranted() {
    if (denial != null) {
      throw new IllegalStateException("download denied: " + reason);
    }
  }

  @Override
  public String toString() {
    return granted() ? "granted " + organization + "/" + key : "denied " + denial + ": " + reason;
  }
}
