package org.binarybackends;

/**
 * Copies binaries from one backend into another inside the storage, the bytes never passing through
 * this process (S3's {@code CopyObject}, and {@code UploadPartCopy} in parts past 5 GiB): what a
 * migration uses where one identity can read the source and write the target. A target backend
 * offers one for a given source with {@link BinaryBackend#serverSideCopyFrom}. Thread-safe.
 */
public interface ServerSideCopy {

  /**
   * Copies the binary stored under {@code key} at the source to the same key here, provided the
   * source's version is the one whose SHA-256 is {@code expected}; the copy carries that SHA-256 and
   * is verified before this returns: by the storage's own SHA-256 of the copy where it gives one, or
   * by reading the copy back. A copy that does not verify is removed. Where the storage gives the
   * SHA-256, nothing unverified is ever under the key; where it is read back, the copy is there
   * for the read-back's time before it is verified, claiming no digest until it is (see the
   * backend's documentation).
   *
   * @return the stored copy, with its digest and location here
   * @throws BinaryNotFoundException if the source holds nothing under the key
   * @throws IntegrityException if the source's version is not {@code expected} (changed at the source,
   *     before or during the copy), or the copy did not verify (it was removed): try again
   * @throws AccessDeniedException if the identity may not read the source or write here after all:
   *     copy through the process instead
   */
  StoredBinary copy(OrganizationId organization, ObjectKey key, Sha256Digest expected);
}
