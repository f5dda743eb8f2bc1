package org.binarybackends.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns what S3 answered into what a person can act on: the exception type says what the caller can
 * do (retry, fix a permission, fix the configuration), and the message names the operation, the
 * resource, the likely causes and S3's own words.
 *
 * <ul>
 *   <li>{@code AccessDenied} on an operation: the permission and resource it needs, and that a bucket
 *       policy, an SCP or RCP, a VPC endpoint policy, the KMS key's policy (when the bucket encrypts)
 *       or a bucket owned by another account ({@code ExpectedBucketOwner}) can also deny;
 *   <li>an {@code AccessDenied} naming a {@code kms:} action: the key and the actions needed;
 *   <li>{@code NoSuchBucket}: the bucket does not exist or its name is wrong;
 *   <li>{@code PermanentRedirect} or {@code AuthorizationHeaderMalformed}: the bucket's real region (from
 *       {@code x-amz-bucket-region}) and the configured one;
 *   <li>throttling, timeouts, 5xx and an expired session: retryable, never a reason to degrade.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
final class S3Failures {
  private final BucketName bucket;
  private final String prefix;
  private final AwsRegion region;
  /** Who sends the requests, as a person reads it: a role's ARN, or the platform's identity. */
  private final String role;
  private final String partition;
  /** The account that must own the bucket. */
  private final String owner;
  /** Whose organization's policies may deny: "the customer's", "the platform's". */
  private final String whose;
  private final Optional<String> kmsKeyArn;

  S3Failures(BucketName bucket, String prefix, AwsRegion region, RoleArn role, Optional<String> kmsKeyArn) {
    this(bucket, prefix, region, role.toString(), role.partition(), role.accountId(), "the customer's", kmsKeyArn);
  }

  /**
   * @param principal who sends the requests, for the messages (a role ARN, "the platform's identity")
   * @param owner the account that must own the bucket
   * @param whose whose AWS organization's control policies may deny, for the messages
   */
  S3Failures(BucketName bucket, String prefix, AwsRegion region, String principal, String partition, String owner,
      String whose, Optional<String> kmsKeyArn) {
    this.bucket = bucket;
    this.prefix = prefix;
    this.region = region;
    this.role = principal;
    this.partition = partition;
    this.owner = owner;
    this.whose = whose;
    this.kmsKeyArn = kmsKeyArn;
  }

  /** The operations the library calls, with the IAM action each needs and on what. */
  enum Operation {
    PUT_OBJECT("s3:PutObject", true, "kms:GenerateDataKey"),
    GET_OBJECT("s3:GetObject", true, "kms:Decrypt"),
    HEAD_OBJECT("s3:GetObject", true, "kms:Decrypt"),
    DELETE_OBJECT("s3:DeleteObject", true, null),
    LIST_OBJECTS("s3:ListBucket", false, null),
    CREATE_MULTIPART_UPLOAD("s3:PutObject", true, "kms:GenerateDataKey"),
    UPLOAD_PART("s3:PutObject", true, "kms:GenerateDataKey"),
    COMPLETE_MULTIPART_UPLOAD("s3:PutObject", true, "kms:Decrypt"),
    ABORT_MULTIPART_UPLOAD("s3:AbortMultipartUpload", true, null),
    LIST_PARTS("s3:ListMultipartUploadParts", true, null),
    LIST_MULTIPART_UPLOADS("s3:ListBucketMultipartUploads", false, null),
    HEAD_BUCKET("s3:ListBucket", false, null),
    /** A server-side copy into the bucket: s3:PutObject here, and s3:GetObject on the source. */
    COPY_OBJECT("s3:PutObject", true, "kms:GenerateDataKey"),
    UPLOAD_PART_COPY("s3:PutObject", true, "kms:GenerateDataKey");

    final String action;
    final boolean onObjects;
    final String kmsAction;

    Operation(String action, boolean onObjects, String kmsAction) {
      this.action = action;
      this.onObjects = onObjects;
      this.kmsAction = kmsAction;
    }
  }

  private String resource(Operation op) {
    String bucketArn = "arn:" + partition + ":s3:::" + bucket;
    return op.onObjects ? bucketArn + "/" + prefix + "*" : bucketArn;
  }

  /** The exception for {@code failure} of {@code op}. */
  BinaryBackendException diagnose(Operation op, Exception failure) {
    if (failure instanceof SdkClientException) {
      return new BackendUnavailableException("S3 could not be reached for " + op.action + " on " + resource(op) + ": "
          + failure.getMessage(), true, failure);
    }
    if (!(failure instanceof AwsServiceException)) {
      return new BackendUnavailableException(op.action + " failed: " + failure, true, failure);
    }
    AwsServiceException e = (AwsServiceException) failure;
    String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    int status = e.statusCode();
    if (e.isThrottlingException() || status >= 500 || code.equals("SlowDown") || code.equals("RequestTimeout")
        || code.equals("ExpiredToken") || code.equals("InternalError")) {
      return new BackendUnavailableException("S3 " + code + " (" + status + ") on " + op.action + ": " + message
          + "; retryable", true, e);
    }
    if (code.equals("SignatureDoesNotMatch") || code.equals("RequestTimeTooSkewed")) {
      return new BackendUnavailableException("S3 " + code + " (" + status + ") on " + op.action + " of " + resource(op)
          + ": the request arrived other than it was signed (its bytes changed on the way, or something rewrote it), or"
          + " this host's clock is off; retryable (S3 said: \"" + message + "\")", true, e);
    }
    if (code.equals("NoSuchBucket")) {
      return new BackendUnavailableException("NoSuchBucket: bucket " + bucket + " does not exist, or its name is wrong"
          + " (S3 said: \"" + message + "\")", false, e);
    }
    if (code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed") || status == 301) {
      String real = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? null
          : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
      return new BackendUnavailableException(code + ": bucket " + bucket + " is in " + (real == null ? "another region"
          : real) + ", configured " + region + ": set the region to " + (real == null ? "the bucket's" : real)
          + " (S3 said: \"" + message + "\")", false, e);
    }
    if (code.equals("AccessDenied") || status == 403) {
      return accessDenied(op, code, message, e);
    }
    return new BackendUnavailableException("S3 " + code + " (" + status + ") on " + op.action + " of " + resource(op)
        + ": " + message, false, e);
  }

  private AccessDeniedException accessDenied(Operation op, String code, String message, Exception e) {
    String lower = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (lower.contains("kms:") || lower.contains("kms key")) {
      String key = kmsKeyArn.orElse("the bucket's KMS key");
      return new AccessDeniedException((op.kmsAction == null ? "a KMS action" : op.kmsAction) + " on " + key
          + " for " + op.action, List.of(
              "the policy of " + role + " does not allow " + (op.kmsAction == null ? "kms:GenerateDataKey and kms:Decrypt"
                  : op.kmsAction) + " on " + key,
              "the key policy of " + key + " does not allow " + role),
          message, e);
    }
    List<String> causes = new ArrayList<>();
    causes.add("the policy of " + role + " lacks " + op.action + " on " + resource(op));
    causes.add("the bucket policy of " + bucket + " denies it");
    causes.add("a service or resource control policy (SCP, RCP) of " + whose + " AWS organization denies it");
    causes.add("a VPC endpoint policy on the way denies it");
    kmsKeyArn.ifPresent(k -> causes.add("the key policy of " + k + " does not allow " + role));
    causes.add("bucket " + bucket + " belongs to another account than " + owner
        + " (the library sends ExpectedBucketOwner " + owner + ")");
    return new AccessDeniedException(op.action + " on " + resource(op) + " (S3 " + code + ")", causes, message, e);
  }
}
