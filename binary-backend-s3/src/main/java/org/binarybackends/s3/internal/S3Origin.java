package org.binarybackends.s3.internal;

import org.binarybackends.BinaryBackend;

/**
 * A bucket as the origin of a backend that serves it another way (the CloudFront backend signs URLs
 * of its distribution and fetches a probe through it): an organization's bucket, or the platform's
 * serving every organization; probe objects are written under the library's reserved {@code
 * <prefix>.binary-backends/probes/} (a new key per probe, never listed as a binary). Every backend
 * the {@code s3} and {@code platform-s3} providers create is one.
 *
 * <p>The seam between the S3 module and the CloudFront module: exported to that module only, not
 * API. The CloudFront backend builds its origin through the provider and uses it as this.
 */
public interface S3Origin extends BinaryBackend {

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
