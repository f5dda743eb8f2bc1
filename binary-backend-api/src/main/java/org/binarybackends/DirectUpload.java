package org.binarybackends;

import java.util.Objects;

/**
 * A started {@link DirectUploads direct upload}: where the binary will be, the storage's upload id,
 * the declared size and SHA-256, and how it is cut into parts (all of {@code partSize} but the last).
 * Immutable; keep it (or its fields) to presign parts, resume, complete or abort later.
 */
public record DirectUpload(BinaryLocation location, String uploadId, long size, Sha256Digest sha256, long partSize,
    int partCount) {
  public DirectUpload {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(uploadId, "uploadId");
    Objects.requireNonNull(sha256, "sha256");
    if (size < 0 || partSize < 1 || partCount < 1) {
      throw new IllegalArgumentException("size " + size + ", part size " + partSize + ", parts " + partCount);
    }
  }

  /** The length of part {@code number} (1-based). */
  public long partLength(int number) {
    if (number < 1 || number > partCount) {
      throw InvalidInputException.of("partNumber", Integer.toString(number), "1 to " + partCount);
    }
    return number < partCount ? partSize : size - partSize * (partCount - 1L);
  }
}
