package org.binarybackends.activation;

/** Where one part (upload or download) of a custom configuration stands. */
public enum PartStatus {
  /** Not verified yet (or its checks keep failing before it ever worked). */
  PENDING,
  /** Verified: it works end to end. */
  ACTIVE,
  /** It worked, then failed enough consecutive definite checks; the reason is in its last check. */
  DEGRADED
}
