package org.binarybackends;

import java.time.Duration;
import java.util.List;

/**
 * Uploads a client makes straight to the storage, part by part, through presigned URLs, without the
 * bytes passing through the service: start one for a binary of known size and SHA-256, hand the
 * client one URL per part (each demanding that part's SHA-256, which the storage checks), let it
 * resume by asking which parts arrived, then complete it (the whole binary's SHA-256 is checked
 * before it becomes visible) or abort it. A backend that offers them says so with
 * {@link BinaryBackend#directUploads()}. Thread-safe.
 */
public interface DirectUploads {

  /**
   * Starts an upload of a binary of {@code size} bytes whose SHA-256 is {@code sha256}; nothing is
   * visible under {@code key} until {@link #complete} has checked it.
   *
   * @throws InvalidInputException naming the field, for a size this backend does not take
   */
  DirectUpload start(OrganizationId organization, ObjectKey key, long size, Sha256Digest sha256);

  /**
   * A URL for part {@code partNumber} (1-based) that accepts exactly that part's bytes: the client
   * sends them with {@link PresignedPart#headers()}, and the storage refuses bytes whose SHA-256 is
   * not {@code partSha256}.
   *
   * @param ttl how long the URL should work; {@link PresignedPart#expiresAt()} says when it ends
   */
  PresignedPart presignPart(DirectUpload upload, int partNumber, Sha256Digest partSha256, Duration ttl);

  /** The parts that arrived so far, in part order: what a client resuming the upload can skip. */
  List<UploadedPart> uploadedParts(DirectUpload upload);

  /**
   * Completes the upload once every part arrived: the binary becomes visible under its key only if
   * its length and SHA-256 are the ones declared at {@link #start}, and {@code upload} is the record
   * {@code start} returned (its key, size and SHA-256 are checked against what the backend recorded
   * then). If a part is missing or has the wrong length, nothing changes and the upload stays open:
   * send the parts named and complete again. If the whole is not the declared binary, or the record
   * was changed, nothing changes under the key and the upload is removed: start again.
   *
   * @throws IntegrityException naming the missing or wrong parts, or the SHA-256 that differs
   */
  StoredBinary complete(DirectUpload upload);

  /** Removes the upload and every part that arrived; idempotent. */
  void abort(DirectUpload upload);
}
