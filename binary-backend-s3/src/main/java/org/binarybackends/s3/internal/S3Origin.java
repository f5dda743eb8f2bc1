package org.binarybackends.s3.internal;

import org.binarybackends.BinaryBackend;
import org.binarybackends.s3.S3Settings;

/**
 * An organization's bucket as the origin of a backend that serves it another way (the CloudFront
 * backend signs URLs of its distribution and fetches a probe through it): the bucket's settings, and
 * probe objects written under the library's reserved
 * {@code <prefix>.binary-backends/probes/} (a new key per probe, never listed as a binary). Every
 * backend the {@code s3} provider creates is one.
 *
 * <p>The seam between the S3 module and the CloudFront module: exported to that module only, not
 * API. The CloudFront backend builds its origin through the provider and uses it as this.
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
