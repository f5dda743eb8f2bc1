package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.binarybackends.VerificationReport;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.VerificationReport.Status;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.S3Fault;
import org.binarybackends.testkit.s3.S3Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code verify()} of an S3 backend, one row of the diagnosis table per test, each produced for real
 * against the testkit (the trust policy switched off, actions denied, S3's error documents from the
 * front door), asserting the exact cause named, not just "failed".
 */
class S3VerifyTest {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private S3Settings settings;
  private S3Backend backend;

  @BeforeEach
  void onboard() {
    fixture.useClock(clock);
    settings = fixture.onboard("org-v", true, "firmware/");
    backend = fixture.backend(settings, clock, S3Transfer.defaults());
  }

  @AfterEach
  void reset() {
    backend.close();
    fixture.s3.faults().clear();
  }

  private static Check check(VerificationReport report, String name) {
    return report.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(
        () -> new AssertionError("no check " + name + " in " + report));
  }

  private void assertNoProbeLeft() {
    try (var s3 = fixture.inspector(backend)) {
      assertThat(s3.listObjectsV2(r -> r.bucket(settings.bucket().value())).contents()).as("probe objects left")
          .isEmpty();
    }
  }

  @Test
  void aHealthyBucketPassesEveryCheckAndLeavesNothing() {
    VerificationReport report = backend.verify();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.checks()).extracting(Check::name).containsExactly("assume-role", "put-probe", "get-probe",
        "list-probe", "presigned-get", "abort-multipart", "delete-probe");
    assertThat(report.checks()).allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.PASSED));
    assertThat(check(report, "put-probe").detail()).contains("firmware/.binary-backends/probes/");
    assertNoProbeLeft();
  }

  @Test
  void anUnappliedTrustPolicyListsEveryCauseAndSkipsTheRest() {
    fixture.sts.applyTrust(settings.roleArn().toString(), false);
    VerificationReport report = backend.verify();
    assertThat(report.passed()).isFalse();
    Check assume = check(report, "assume-role");
    assertThat(assume.retryable()).isFalse();
    assertThat(assume.detail()).contains("not applied yet").contains("sts:ExternalId condition is not org-v")
        .contains("does not exist, or its ARN has a typo").contains("principal is not")
        .contains("is not authorized to perform: sts:AssumeRole");
    assertThat(report.checks()).filteredOn(c -> !c.name().equals("assume-role"))
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.SKIPPED));
  }

  @Test
  void aRefusedPlatformHopIsThePlatformsFault() {
    PlatformRole platformRole = PlatformRole.of(settings.organization(), "uploads", S3Fixture.PLATFORM_ACCOUNT);
    fixture.sts.applyTrust(platformRole.arn("aws"), false);
    try {
      Check assume = check(backend.verify(), "assume-role");
      assertThat(assume.status()).isEqualTo(Status.FAILED);
      assertThat(assume.detail()).contains("platform-side role " + platformRole.arn("aws"))
          .contains("on the platform's side, not the customer's");
    } finally {
      fixture.sts.applyTrust(platformRole.arn("aws"), true);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "PUT_OBJECT, put-probe, s3:PutObject, /firmware/*",
    "GET_OBJECT, get-probe, s3:GetObject, /firmware/*",
    "LIST_OBJECTS, list-probe, s3:ListBucket, bucket-org-v",
    "DELETE_OBJECT, delete-probe, s3:DeleteObject, /firmware/*"})
  void aMissingPermissionIsNamedWithItsResourceAndTheOtherPlacesThatCanDeny(S3Operation op, String name,
      String action, String resource) {
    fixture.s3.faults().denyFor(settings.roleArn().toString(), op);
    VerificationReport report = backend.verify();
    assertThat(report.passed()).isFalse();
    Check failed = check(report, name);
    assertThat(failed.status()).isEqualTo(Status.FAILED);
    assertThat(failed.retryable()).isFalse();
    assertThat(failed.detail()).contains("lacks " + action + " on arn:aws:s3:::" + settings.bucket())
        .contains(resource).contains("bucket policy").contains("SCP, RCP").contains("VPC endpoint policy")
        .contains("belongs to another account").contains("Access Denied");
    fixture.s3.faults().clear();
    if (op == S3Operation.DELETE_OBJECT) {
      assertThat(failed.detail()).contains("the probe firmware/.binary-backends/probes/").contains("is left in the bucket");
    } else {
      assertNoProbeLeft();
    }
  }

  @Test
  void aBucketOfAnotherAccountIsRefusedAndTheDiagnosisSaysItMayBe() {
    S3Settings other = fixture.onboard("org-w", true);
    fixture.s3.createBucket("recreated-by-someone-else", other.roleArn().toString(), "999999999999");
    S3Settings recreated = S3Settings.of("org-w", "recreated-by-someone-else", "eu-west-1",
        other.roleArn().toString(), "uploads", "", null, fixture.s3.endpoint().toString(),
        fixture.sts.endpoint().toString(), true);
    try (S3Backend b = fixture.backend(recreated, clock, S3Transfer.defaults())) {
      Check put = check(b.verify(), "put-probe");
      assertThat(put.status()).isEqualTo(Status.FAILED);
      assertThat(put.detail()).contains("bucket recreated-by-someone-else belongs to another account than "
          + other.roleArn().accountId()).contains("ExpectedBucketOwner");
    }
  }

  /**
   * A presigned download names the bucket's owner in its URL, so that S3 refuses it if the bucket
   * now belongs to someone else: the device gets 403, never bytes an attacker put there.
   */
  @Test
  void aPresignedUrlToABucketRecreatedBySomeoneElseIsRefused() throws Exception {
    S3Settings other = fixture.onboard("org-v", true);
    fixture.s3.createBucket("sniped-by-someone-else", other.roleArn().toString(), "999999999999");
    S3Settings sniped = S3Settings.of("org-v", "sniped-by-someone-else", "eu-west-1", other.roleArn().toString(),
        "uploads", "", null, fixture.s3.endpoint().toString(), fixture.sts.endpoint().toString(), true);
    try (S3Backend b = fixture.backend(sniped, clock, S3Transfer.defaults())) {
      // the attacker's firmware, under the key the device will ask for
      try (var raw = fixture.inspector(b)) {
        raw.putObject(r -> r.bucket("sniped-by-someone-else").key("fw/image.bin"),
            software.amazon.awssdk.core.sync.RequestBody.fromString("not the organization's firmware"));
      }
      org.binarybackends.SignedUrl url = b.signDownloadUrl(org.binarybackends.OrganizationId.of("org-v"),
          org.binarybackends.ObjectKey.of("fw/image.bin"), Duration.ofMinutes(5));
      assertThat(url.uri().getRawQuery()).contains("x-amz-expected-bucket-owner=" + other.roleArn().accountId());
      org.binarybackends.testkit.Download got = org.binarybackends.testkit.Download.fetch(url);
      assertThat(got.status()).isEqualTo(403);
    }
  }

  @Test
  void aMissingBucketIsNamed() {
    S3Settings missing = S3Settings.of("org-v", "no-such-bucket-here", "eu-west-1", settings.roleArn().toString(),
        "uploads", "", null, fixture.s3.endpoint().toString(), fixture.sts.endpoint().toString(), true);
    try (S3Backend b = fixture.backend(missing, clock, S3Transfer.defaults())) {
      Check put = check(b.verify(), "put-probe");
      assertThat(put.status()).isEqualTo(Status.FAILED);
      assertThat(put.detail()).contains("NoSuchBucket: bucket no-such-bucket-here does not exist, or its name is wrong");
    }
  }

  @Test
  void aBucketInAnotherRegionIsNamedWithItsRealRegion() {
    fixture.s3.faults().on(r -> r.operation() == S3Operation.PUT_OBJECT).always()
        .apply(S3Fault.permanentRedirect(settings.bucket().value(), "ap-southeast-2"));
    Check put = check(backend.verify(), "put-probe");
    assertThat(put.detail()).contains("is in ap-southeast-2, configured eu-west-1")
        .contains("set the region to ap-southeast-2");
    fixture.s3.faults().clear();
    fixture.s3.faults().on(r -> r.operation() == S3Operation.PUT_OBJECT).always()
        .apply(S3Fault.authorizationHeaderMalformed("eu-west-1", "us-east-2"));
    assertThat(check(backend.verify(), "put-probe").detail()).contains("is in us-east-2, configured eu-west-1");
  }

  @Test
  void aKmsRefusalNamesTheKeyAndTheActions() {
    String key = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    fixture.s3.faults().on(r -> r.operation() == S3Operation.PUT_OBJECT).always().apply(S3Fault.kmsAccessDenied(
        "arn:aws:sts::123456789012:assumed-role/org-v-binaries/bb-org-v", key, "kms:GenerateDataKey"));
    Check put = check(backend.verify(), "put-probe");
    assertThat(put.status()).isEqualTo(Status.FAILED);
    assertThat(put.detail()).contains("kms:GenerateDataKey").contains("key policy").contains(key);
  }

  @Test
  void throttlingIsRetryableNotAConfigurationFault() {
    fixture.s3.faults().on(r -> r.operation() == S3Operation.GET_OBJECT).always().apply(S3Fault.slowDown());
    Check get = check(backend.verify(), "get-probe");
    assertThat(get.status()).isEqualTo(Status.FAILED);
    assertThat(get.retryable()).isTrue();
    assertThat(get.detail()).contains("SlowDown").contains("retryable");
    fixture.s3.faults().clear();
    assertNoProbeLeft();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"503,SlowDown,true", "500,InternalError,true", "400,ExpiredToken,true", "403,AccessDenied,false"})
  void thePresignedDownloadProbeIsClassifiedAsEveryOtherS3Answer(int status, String code, boolean retryable) {
    fixture.s3.faults().on(r -> r.operation() == S3Operation.GET_OBJECT && r.query().containsKey("X-Amz-Signature"))
        .always().apply(S3Fault.error(status, code, "injected " + code, Map.of()));
    VerificationReport report = backend.verify();
    Check presigned = check(report, "presigned-get");
    assertThat(presigned.status()).isEqualTo(Status.FAILED);
    assertThat(presigned.retryable()).as(presigned.detail()).isEqualTo(retryable);
    assertThat(presigned.detail()).contains(code).contains("injected " + code).doesNotContain("<Error>");
    if (!retryable) {
      assertThat(presigned.detail()).contains("s3:GetObject");
    }
    assertThat(report.checks()).filteredOn(c -> c.status() == Status.FAILED).extracting(Check::name)
        .containsExactly("presigned-get");
    fixture.s3.faults().clear();
    assertNoProbeLeft();
  }

  @Test
  void aDeleteProbeThatFailsSaysWhatItLeftBehind() {
    fixture.s3.faults().on(r -> r.operation() == S3Operation.DELETE_OBJECT).always().apply(S3Fault.slowDown());
    Check delete = check(backend.verify(), "delete-probe");
    assertThat(delete.status()).isEqualTo(Status.FAILED);
    assertThat(delete.retryable()).isTrue();
    assertThat(delete.detail()).contains("is left behind").contains("firmware/.binary-backends/probes/");
    fixture.s3.faults().clear();
    try (var s3 = fixture.inspector(backend)) {
      var left = s3.listObjectsV2(r -> r.bucket(settings.bucket().value())).contents();
      assertThat(left).hasSize(1);
      assertThat(delete.detail()).contains(left.get(0).key());
      s3.deleteObject(r -> r.bucket(settings.bucket().value()).key(left.get(0).key()));
    }
    assertNoProbeLeft();
  }

  @Test
  void everyRequestOfVerifyGoesThroughThePlatformsHttpClient() {
    // the platform's client (its proxy, trust store, timeouts) wrapped to record what goes through it
    List<software.amazon.awssdk.http.SdkHttpRequest> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    software.amazon.awssdk.http.SdkHttpClient recording = new software.amazon.awssdk.http.SdkHttpClient() {
      @Override
      public software.amazon.awssdk.http.ExecutableHttpRequest prepareRequest(
          software.amazon.awssdk.http.HttpExecuteRequest request) {
        seen.add(request.httpRequest());
        return fixture.http.prepareRequest(request);
      }

      @Override
      public void close() {
        // the fixture's client is closed by the fixture
      }
    };
    S3Platform platform = fixture.platform.withHttpClient(recording);
    try (S3Backend b = new S3Backend(settings, platform, S3Transfer.defaults(), clock)) {
      VerificationReport report = b.verify();
      assertThat(report.passed()).as(report.toString()).isTrue();
    }
    String sts = fixture.sts.endpoint().getAuthority();
    // both hops of the probe and both of the cached chain the S3 calls use
    assertThat(seen).filteredOn(r -> r.getUri().getAuthority().equals(sts)).hasSize(4);
    assertThat(seen).filteredOn(r -> r.method() == software.amazon.awssdk.http.SdkHttpMethod.GET
        && r.rawQueryParameters().containsKey("X-Amz-Signature")).as("the presigned download probe").hasSize(1);
  }

  @Test
  void thePlatformsClientConfigurationReachesEveryS3AndStsClient() {
    // an interceptor is the SDK's public window on every call a client makes with a configuration
    List<String> operations = new java.util.concurrent.CopyOnWriteArrayList<>();
    software.amazon.awssdk.core.interceptor.ExecutionInterceptor recording =
        new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
          @Override
          public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution context,
              software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
            operations.add(attributes.getAttribute(software.amazon.awssdk.core.interceptor.SdkExecutionAttribute
                .OPERATION_NAME));
          }
        };
    S3Platform platform = fixture.platform.withOverrides(software.amazon.awssdk.core.client.config
        .ClientOverrideConfiguration.builder().addExecutionInterceptor(recording).apiCallTimeout(Duration.ofMinutes(2))
        .build());
    try (S3Backend b = new S3Backend(settings, platform, S3Transfer.defaults(), clock)) {
      assertThat(b.verify().passed()).isTrue();
    }
    assertThat(operations).filteredOn("AssumeRole"::equals).as("the probe's two hops and the chain's two").hasSize(4);
    assertThat(operations).contains("PutObject", "GetObject", "ListObjectsV2", "CreateMultipartUpload",
        "AbortMultipartUpload", "DeleteObject");
  }

  @Test
  void anUnreachableEndpointIsRetryable() {
    S3Settings unreachable = S3Settings.of("org-v", settings.bucket().value(), "eu-west-1",
        settings.roleArn().toString(), "uploads", "", null, "http://127.0.0.1:9", fixture.sts.endpoint().toString(),
        true);
    try (S3Backend b = fixture.backend(unreachable, clock, S3Transfer.defaults())) {
      Check put = check(b.verify(), "put-probe");
      assertThat(put.status()).isEqualTo(Status.FAILED);
      assertThat(put.retryable()).isTrue();
      assertThat(put.detail()).contains("could not be reached");
    }
  }

  @Test
  void theErrorDocumentsAreS3s() {
    fixture.s3.faults().on(r -> true).times(1).apply(S3Fault.error(409, "OperationAborted",
        "A conflicting conditional operation is currently in progress.", Map.of()));
    Check put = check(backend.verify(), "put-probe");
    assertThat(put.detail()).contains("OperationAborted").contains("A conflicting conditional operation");
  }
}
