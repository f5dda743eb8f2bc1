package org.binarybackends.testkit.s3;

import java.util.Map;
import java.util.Optional;

/**
 * A request as the embedded S3 server's front door sees it, before anything is forwarded: what a
 * fault rule matches on.
 *
 * @param method the HTTP method
 * @param operation the S3 operation it is
 * @param bucket the bucket (path-style), or empty for the service
 * @param key the object key, decoded, or empty
 * @param query the query parameters, decoded (a parameter without value maps to "")
 * @param principal the role (or base identity) whose credentials signed it, if the local STS knows them
 * @param copySource for a server-side copy ({@code CopyObject}, {@code UploadPartCopy}: a {@link
 *     S3Operation#PUT_OBJECT} or {@link S3Operation#UPLOAD_PART} with {@code x-amz-copy-source}, as
 *     IAM sees it: {@code s3:PutObject} here), the source's {@code bucket/key}, decoded
 */
public record S3Request(String method, S3Operation operation, String bucket, String key, Map<String, String> query,
    Optional<String> principal, Optional<String> copySource) {

  /** The part number of an {@link S3Operation#UPLOAD_PART}, else 0. */
  public int partNumber() {
    String n = query.get("partNumber");
    return n == null ? 0 : Integer.parseInt(n);
  }

  /** Whether it is a server-side copy: {@link #copySource()} is present. */
  public boolean isCopy() {
    return copySource.isPresent();
  }

  @Override
  public String toString() {
    return method + " " + operation + " " + bucket + "/" + key + copySource.map(s -> " from " + s).orElse("");
  }
}
