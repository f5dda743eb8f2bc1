package org.binarybackends;

import java.util.Objects;

/**
 * A put or a direct upload would take an organization past a limit of its storage quota: nothing
 * was stored, nothing of the quota is used. Says which limit, the limit, what is used or reserved
 * now (by binaries stored and uploads in flight, on every service instance) and what this one
 * needed. Not retryable as is: the organization must delete binaries, or the platform raise its
 * quota.
 */
public final class QuotaExceededException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  /** The limit a quota puts on an organization. */
  public enum Limit {
    /** The bytes of every binary stored, and of uploads in flight. */
    STORED_BYTES("stored bytes"),
    /** How many binaries are stored, with uploads of new keys in flight. */
    BINARIES("binaries");

    private final String words;

    Limit(String words) {
      this.words = words;
    }

    @Override
    public String toString() {
      return words;
    }
  }

  private final OrganizationId organization;
  private final Limit limit;
  private final long maximum;
  private final long usage;
  private final long requested;

  public QuotaExceededException(OrganizationId organization, Limit limit, long maximum, long usage, long requested) {
    super("organization " + Objects.requireNonNull(organization, "organization").value() + " is over its quota of "
        + Objects.requireNonNull(limit, "limit") + ": the limit is " + maximum + ", " + usage
        + " are used or reserved, and this upload needs " + requested + " more; nothing was stored (delete binaries"
        + " or ask the platform for a larger quota)");
    this.organization = organization;
    this.limit = limit;
    this.maximum = maximum;
    this.usage = usage;
    this.requested = requested;
  }

  public OrganizationId organization() {
    return organization;
  }

  /** Which limit. */
  public Limit limit() {
    return limit;
  }

  /** The limit's value: bytes, or binaries. */
  public long maximum() {
    return maximum;
  }

  /** Used or reserved when the upload asked: stored, and in flight on any instance. */
  public long usage() {
    return usage;
  }

  /** What the upload needed beyond {@link #usage()}. */
  public long requested() {
    return requested;
  }
}
