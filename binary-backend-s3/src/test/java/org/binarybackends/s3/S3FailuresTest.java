package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Each answer S3 gives, as the SDK raises it (these are faults a real server gives only on demand:
 * the embedded S3 server's fault layer will raise them for real), turned into its diagnosis.
 */
class S3FailuresTest {
  private static final RoleArn ROLE = RoleArn.parse("arn:aws:iam::123456789012:role/firmware-uploads");
  private static final String KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private final S3Failures failures = new S3Failures(BucketName.of("acme-firmware"), "fw/", AwsRegion.of("us-east-1"),
      ROLE, Optional.of(KEY));

  private static S3Exception s3(int status, String code, String message, String... headers) {
    SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      http.putHeader(headers[i], headers[i + 1]);
    }
    return (S3Exception) S3Exception.builder().statusCode(status).awsErrorDetails(AwsErrorDetails.builder()
        .errorCode(code).errorMessage(message).sdkHttpResponse(http.build()).build()).build();
  }

  @Test
  void accessDeniedNamesThePermissionAndEveryOtherPlaceThatCanDeny() {
    BinaryBackendException e = failures.diagnose(S3Failures.Operation.PUT_OBJECT, s3(403, "AccessDenied", "Access Denied"));
    assertThat(e).isInstanceOfSatisfying(AccessDeniedException.class, d -> {
      assertThat(d.refused()).isEqualTo("s3:PutObject on arn:aws:s3:::acme-firmware/fw/* (S3 AccessDenied)");
      assertThat(d.possibleCauses()).hasSize(6);
      assertThat(d.getMessage()).contains("bucket policy").contains("SCP, RCP").contains("VPC endpoint policy")
          .contains("key policy of " + KEY).contains("belongs to another account than 123456789012")
          .contains("\"Access Denied\"");
    });
    assertThat(((AccessDeniedException) failures.diagnose(S3Failures.Operation.LIST_OBJECTS,
        s3(403, "AccessDenied", "Access Denied"))).refused()).startsWith("s3:ListBucket on arn:aws:s3:::acme-firmware ");
    assertThat(((AccessDeniedException) failures.diagnose(S3Failures.Operation.ABORT_MULTIPART_UPLOAD,
        s3(403, "AccessDenied", "Access Denied"))).refused()).startsWith("s3:AbortMultipartUpload on");
  }

  @Test
  void kmsRefusalsNameTheKeyAndTheActions() {
    BinaryBackendException e = failures.diagnose(S3Failures.Operation.GET_OBJECT, s3(403, "AccessDenied",
        "User: arn:aws:sts::123456789012:assumed-role/firmware-uploads/bb is not authorized to perform: kms:Decrypt"
            + " on resource: " + KEY));
    assertThat(e).isInstanceOfSatisfying(AccessDeniedException.class, d -> {
      assertThat(d.refused()).startsWith("kms:Decrypt on " + KEY);
      assertThat(d.getMessage()).contains("key policy of " + KEY + " does not allow " + ROLE);
    });
  }

  @Test
  void regionMistakesNameTheBucketsRealRegion() {
    BinaryBackendException e = failures.diagnose(S3Failures.Operation.HEAD_BUCKET, s3(301, "PermanentRedirect",
        "The bucket you are attempting to access must be addressed using the specified endpoint.",
        "x-amz-bucket-region", "eu-west-1"));
    assertThat(e).isInstanceOfSatisfying(BackendUnavailableException.class, u -> {
      assertThat(u.retryable()).isFalse();
      assertThat(u.getMessage()).contains("bucket acme-firmware is in eu-west-1, configured us-east-1")
          .contains("set the region to eu-west-1");
    });
    assertThat(failures.diagnose(S3Failures.Operation.PUT_OBJECT, s3(400, "AuthorizationHeaderMalformed",
        "the region 'us-east-1' is wrong; expecting 'eu-west-1'", "x-amz-bucket-region", "eu-west-1")).getMessage())
        .contains("is in eu-west-1");
  }

  @Test
  void aMissingBucketIsAConfigurationProblemAndThrottlingIsRetryable() {
    assertThat(failures.diagnose(S3Failures.Operation.HEAD_BUCKET, s3(404, "NoSuchBucket", "The specified bucket does"
        + " not exist"))).isInstanceOfSatisfying(BackendUnavailableException.class, u -> {
          assertThat(u.retryable()).isFalse();
          assertThat(u.getMessage()).contains("does not exist, or its name is wrong");
        });
    for (S3Exception transient_ : new S3Exception[] {s3(503, "SlowDown", "Please reduce your request rate."),
        s3(500, "InternalError", "We encountered an internal error."), s3(400, "RequestTimeout", "timeout"),
        s3(400, "ExpiredToken", "The provided token has expired.")}) {
      assertThat(failures.diagnose(S3Failures.Operation.UPLOAD_PART, transient_))
          .isInstanceOfSatisfying(BackendUnavailableException.class, u -> assertThat(u.retryable()).isTrue());
    }
    assertThat(failures.diagnose(S3Failures.Operation.GET_OBJECT, SdkClientException.create("connection reset")))
        .isInstanceOfSatisfying(BackendUnavailableException.class, u -> assertThat(u.retryable()).isTrue());
  }
}
