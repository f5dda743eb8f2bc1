package org.binarybackends.s3;

import org.binarybackends.BinaryBackend;

/**
 * An organization's bucket as the origin of a backend that serves it another way (the CloudFront
 * backend signs URLs of its distribution and fetches a probe through it): the bucket's settings, and
 * probe objects written under the library's reserved
 * {@code <prefix>.binary-backends/probes/} (a new key per probe, never listed as a binary). Every
 * backend of type {@code s3} is one.
 */
public interface S3Origin extends BinaryBackend {

  /** The settings of the bucket. */
  S3Settings settings();

  /**
   * Writes {@code content} (a few bytes) under a new probe key.
   *
   * @return the object's full key in the bucket, prefix included
   * @throws org.binarybackends.BinaryBackendException with S3's diagnosis if it cannot be written
   */
  String putProbe(byte[] content);

  /**
   * Deletes the probe {@code key} returned by {@link #putProbe}.
   *
   * @throws org.binarybackends.InvalidInputException if {@code key} is not a probe's
   * @throws org.binarybackends.BinaryBackendException with S3's diagnosis if it cannot be deleted
   */
  void deleteProbe(String key);
}
