package org.binarybackends;

import java.util.List;

/**
 * The storage refused the operation. Carries the diagnosis a person needs: what was refused, the
 * possible causes (storage providers often answer several different mistakes with one error), and
 * the provider's own message, quoted.
 */
public final class AccessDeniedException extends BinaryBackendException {
  private static final long serialVersionUID = 1L;

  private final String refused;
  private final List<String> possibleCauses;
  private final String providerMessage;

  /**
   * @param refused what was refused, e.g. "PutObject on arn:aws:s3:::bucket/key"
   * @param possibleCauses each cause a person could check, most likely first
   * @param providerMessage the storage's own message, or {@code null}
   * @param cause the underlying exception, or {@code null}
   */
  public AccessDeniedException(String refused, List<String> possibleCauses, String providerMessage, Throwable cause) {
    super(format(refused, possibleCauses, providerMessage), cause);
    this.refused = refused;
    this.possibleCauses = List.copyOf(possibleCauses);
    this.providerMessage = providerMessage;
  }

  private static String format(String refused, List<String> causes, String providerMessage) {
    StringBuilder sb = new StringBuilder("access denied: ").append(refused);
    if (providerMessage != null) {
      sb.append(" (the storage said: \"").append(providerMessage).append("\")");
    }
    if (!causes.isEmpty()) {
      sb.append("; possible causes: ");
      for (int i = 0; i < causes.size(); i++) {
        sb.append(i == 0 ? "" : "; ").append(i + 1).append(") ").append(causes.get(i));
      }
    }
    return sb.toString();
  }

  public String refused() {
    return refused;
  }

  public List<String> possibleCauses() {
    return possibleCauses;
  }

  /** The storage's own message, quoted as received; may be {@code null}. */
  public String providerMessage() {
    return providerMessage;
  }
}
