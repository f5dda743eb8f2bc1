package org.binarybackends.activation;

import java.util.Objects;
import org.binarybackends.BinaryBackend;

/**
 * Where a new upload of an organization goes, and why.
 *
 * @param backend the backend to put it in; do not keep it (resolve again for the next upload) and do
 *     not close it (it belongs to the {@link org.binarybackends.BinaryBackends} that gave it)
 * @param custom whether it is the organization's own storage
 * @param reason why this one, e.g. "pending: upload configuration not verified: STS AccessDenied ..."
 */
public record UploadTarget(BinaryBackend backend, boolean custom, String reason) {
  public UploadTarget {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(reason, "reason");
  }
}
