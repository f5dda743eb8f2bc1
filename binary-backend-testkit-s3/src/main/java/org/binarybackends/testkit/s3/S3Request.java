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
 */
public record S3Request(String method, S3Operation operation, String bucket, String key, Map<String, String> query,
    Optional<String> principal) {

  /** The part number of an {@link S3Operation#UPLOAD_PART}, else 0. */
  public int partNumber() {
    String n = query.get("partNumber");
    return n == null ? 0 : Integer.parseInt(n);
  }

  @Override
  public String toString() {
    return method + " " + operation + " " + bucket + "/" + key;
  }
}
