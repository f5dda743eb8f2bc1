package org.binarybackends.s3;

import java.util.Optional;
import java.util.function.Supplier;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.s3.S3Failures.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * One organization's bucket, the one object every S3 request of its backend goes through: the
 * client (the organization's role chain, the platform's HTTP client and configuration), the
 * bucket's name, its expected owner, its encryption, and the diagnosis of its failures.
 *
 * <p>The rule that every request names the bucket's expected owner is kept here, once, by
 * construction: an interceptor of the client puts {@code x-amz-expected-bucket-owner} (and, on a
 * copy that names no other, {@code x-amz-source-expected-bucket-owner}: the source is this bucket too) on every
 * request before it is signed, whatever the call. A bucket deleted and recreated under the same name
 * by another account answers 403 to everything. Thread-safe.
 */
final class S3Bucket implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3Bucket.class);
  /** S3's answers to a body whose bytes changed on the way; see {@link #send}. */
  private static final java.util.Set<String> CORRUPTED = java.util.Set.of("BadDigest", "InvalidDigest",
      "XAmzContentChecksumMismatch", "XAmzContentSHA256Mismatch", "SignatureDoesNotMatch");
  /** How many times bytes held in memory are sent when S3 refuses them as corrupted on the way. */
  static final int SENDS = 3;

  /** The client: every request through it names the bucket's owner. */
  final S3Client s3;
  /** The bucket's name. */
  final String name;
  /** The account that must own the bucket: the customer role's. */
  final String owner;
  private final Optional<String> kmsKeyArn;
  private final S3Failures failures;
  private final BackendInstanceId instanceId;

  S3Bucket(S3Settings settings, AwsCredentialsProvider credentials, SdkHttpClient http, S3Platform platform) {
    this(settings.bucket(), settings.roleArn().accountId(), settings.kmsKeyArn(), settings.region(),
        settings.s3Endpoint(), settings.pathStyleAccess(), settings.instanceId(), new S3Failures(settings.bucket(),
            settings.prefix(), settings.region(), settings.roleArn(), settings.kmsKeyArn()), credentials, http, platform);
  }

  /**
   * A bucket owned by account {@code owner}, reached with {@code credentials} on the platform's
   * HTTP client and configuration.
   */
  S3Bucket(BucketName bucket, String owner, Optional<String> kmsKeyArn, AwsRegion region,
      Optional<java.net.URI> endpoint, boolean pathStyle, BackendInstanceId instanceId, S3Failures failures,
      AwsCredentialsProvider credentials, SdkHttpClient http, S3Platform platform) {
    this.name = bucket.value();
    this.owner = owner;
    this.kmsKeyArn = kmsKeyArn;
    this.instanceId = instanceId;
    this.failures = failures;
    S3ClientBuilder b = S3Client.builder().region(region.sdkRegion()).credentialsProvider(credentials)
        .httpClient(http).forcePathStyle(pathStyle)
        .overrideConfiguration(platform.overrides().toBuilder().addExecutionInterceptor(new ExpectedOwner(owner))
            .build());
    endpoint.ifPresent(b::endpointOverride);
    this.s3 = b.build();
  }

  /** Puts the expected owner on every request, before it is signed. */
  private static final class ExpectedOwner implements ExecutionInterceptor {
    private final String owner;

    ExpectedOwner(String owner) {
      this.owner = owner;
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
      SdkHttpRequest.Builder r = context.httpRequest().toBuilder().putHeader("x-amz-expected-bucket-owner", owner);
      if (context.httpRequest().firstMatchingHeader("x-amz-copy-source").isPresent()
          && context.httpRequest().firstMatchingHeader("x-amz-source-expected-bucket-owner").isEmpty()) {
        // a copy within this bucket; one from another names its own bucket's owner
        r.putHeader("x-amz-source-expected-bucket-owner", owner);
      }
      return r.build();
    }
  }

  /** Runs a request, turning the SDK's failure into S3's diagnosis. */
  <T> T call(Operation op, Supplier<T> request) {
    try {
      return request.get();
    } catch (SdkException e) {
      throw diagnose(op, e);
    }
  }

  /**
   * Sends bytes held in memory, again when S3 refuses them as corrupted on the way (its checksum
   * check did its job; the bytes here are intact), up to {@link #SENDS} times. For a body sent in
   * signed chunks (plain HTTP) the refusal is a chunk signature that does not match; a wrong clock
   * or secret also gives that, and costs at most SENDS tries before it is said.
   */
  <T> T send(Operation op, Supplier<T> request) {
    for (int attempt = 1; ; attempt++) {
      try {
        return request.get();
      } catch (S3Exception e) {
        if (attempt == SENDS || !CORRUPTED.contains(code(e))) {
          throw diagnose(op, e);
        }
        LOG.warn("{}: S3 refused the bytes of {} as corrupted on the way ({}); sending them again", instanceId,
            op.action, code(e));
      } catch (SdkException e) {
        throw diagnose(op, e);
      }
    }
  }

  /** What a person can do about {@code e}: the role chain's own diagnosis, or S3's. */
  BinaryBackendException diagnose(Operation op, Exception e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BinaryBackendException) { // the role chain's own diagnosis, raised resolving credentials
        return (BinaryBackendException) t;
      }
    }
    return failures.diagnose(op, e);
  }

  /** The failures' diagnosis, for checks that classify an answer themselves (verify). */
  S3Failures failures() {
    return failures;
  }

  static String code(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  /** A put with the bucket's encryption (SSE-KMS with the configured key, else the bucket's default). */
  PutObjectRequest.Builder encrypted(PutObjectRequest.Builder b) {
    kmsKeyArn.ifPresent(k -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(k));
    return b;
  }

  /** A multipart upload with the bucket's encryption. */
  CreateMultipartUploadRequest.Builder encrypted(CreateMultipartUploadRequest.Builder b) {
    kmsKeyArn.ifPresent(k -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(k));
    return b;
  }

  /** A copy into this bucket with its encryption. */
  software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder encrypted(
      software.amazon.awssdk.services.s3.model.CopyObjectRequest.Builder b) {
    kmsKeyArn.ifPresent(k -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS).ssekmsKeyId(k));
    return b;
  }

  @Override
  public void close() {
    s3.close();
  }

  @Override
  public String toString() {
    return "S3Bucket{" + name + ", owner " + owner + "}";
  }
}
