package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.IntegrityException;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.S3Fault;
import org.binarybackends.testkit.s3.S3Faults;
import org.binarybackends.testkit.s3.S3Operation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The mistakes an S3 backend can make, each caught against the embedded S3 server and the local
 * STS: isolation, credentials that expire during an upload, presigned URLs outliving their session,
 * connections cut mid-part, corrupted parts, wrong digests, lost answers to a completion.
 */
class S3BackendTest {
  private static final long PART = S3Transfer.MIN_PART;
  private static final OrganizationId ORG_A = OrganizationId.of("org-a");
  private static final ObjectKey KEY = ObjectKey.of("fw/image.bin");
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();

  private final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private S3Backend backend;
  private S3Settings settings;

  @BeforeEach
  void onboard() {
    fixture.useClock(clock);
    settings = fixture.onboard("org-a", true);
    backend = fixture.backend(settings, clock, new S3Transfer(PART, 3));
  }

  @AfterEach
  void reset() {
    backend.close();
    fixture.s3.faults().clear();
    fixture.sts.capLifetime(null);
  }

  private S3Faults faults() {
    return fixture.s3.faults();
  }

  private StoredBinary put(S3Backend b, long seed, long size) {
    return b.put(ORG_A, KEY, new GeneratedContent(seed, size), PutOptions.builder().contentLength(size).build());
  }

  private int uploadsInProgress() {
    try (S3Client s3 = fixture.inspector(backend)) {
      return s3.listMultipartUploads(r -> r.bucket(settings.bucket().value())).uploads().size();
    }
  }

  private static int fetch(SignedUrl url) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(url.uri()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private void assertNothingLeft() {
    assertThatThrownBy(() -> backend.stat(ORG_A, KEY)).isInstanceOf(BinaryNotFoundException.class);
    assertThat(uploadsInProgress()).as("multipart uploads left behind").isZero();
    assertThat(backend.list(ORG_A, "").count()).isZero();
  }

  @Test
  void anOrganizationsRoleCannotReachAnotherOrganizationsBucket() {
    put(backend, 1, 100);
    S3Settings other = fixture.onboard("org-bb", true);
    S3Settings intruding = S3Settings.of("org-bb", settings.bucket().value(), "eu-west-1",
        other.roleArn().toString(), "uploads", "", null, fixture.s3.endpoint().toString(),
        fixture.sts.endpoint().toString(), true);
    try (S3Backend intruder = fixture.backend(intruding, clock, S3Transfer.defaults())) {
      OrganizationId b = OrganizationId.of("org-bb");
      assertThatThrownBy(() -> intruder.read(b, KEY)).isInstanceOfSatisfying(AccessDeniedException.class,
          e -> assertThat(e.refused()).contains("s3:GetObject").contains(settings.bucket().value()));
      assertThatThrownBy(() -> intruder.put(b, KEY, new GeneratedContent(2, 10))).isInstanceOf(AccessDeniedException.class);
      assertThatThrownBy(() -> intruder.list(b, ListRequest.all())).isInstanceOf(AccessDeniedException.class);
    }
    assertThat(backend.stat(ORG_A, KEY).sha256()).isEqualTo(GeneratedContent.sha256(1, 100));
  }

  /** Advances the clock as the bytes are read, as a slow upload lets time pass. */
  private final class Slow extends FilterInputStream {
    private final Duration perPart;
    private long read;

    Slow(InputStream in, Duration perPart) {
      super(in);
      this.perPart = perPart;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && (read + n) / PART > read / PART) {
        clock.advance(perPart);
      }
      read += Math.max(0, n);
      return n;
    }
  }

  @Test
  void credentialsThatExpireDuringALongUploadAreRefreshedWithoutAFailure() {
    fixture.sts.capLifetime(Duration.ofMinutes(2));
    backend.close();
    // one part at a time: the clock moves only between parts, never under a request in flight
    backend = fixture.backend(settings, clock, new S3Transfer(PART, 1));
    String first = backend.chain().credentials().resolveCredentials().accessKeyId();
    long size = 8 * PART + 17; // 8 minutes of upload, four sessions' worth
    StoredBinary stored = backend.put(ORG_A, KEY, new Slow(new GeneratedContent(3, size), Duration.ofMinutes(1)));
    assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(3, size));
    assertThat(backend.chain().credentials().resolveCredentials().accessKeyId()).isNotEqualTo(first);
    assertThat(fixture.sts.valid(first)).as("the first session really expired").isFalse();
    assertThat(backend.stat(ORG_A, KEY).sha256()).isEqualTo(GeneratedContent.sha256(3, size));
  }

  @Test
  void aPresignedUrlWorksUntilTheExpiryItReportsAndNotAfter() throws Exception {
    fixture.sts.capLifetime(Duration.ofMinutes(5));
    put(backend, 4, 1000);
    Instant signedAt = clock.instant();
    SignedUrl url = backend.signDownloadUrl(ORG_A, KEY, Duration.ofMinutes(30));
    assertThat(url.expiresAt()).as("the session ends first").isBeforeOrEqualTo(signedAt.plus(Duration.ofMinutes(5)))
        .isAfter(signedAt.plus(Duration.ofMinutes(4)));
    clock.set(url.expiresAt().minusSeconds(1));
    assertThat(fetch(url)).isEqualTo(200);
    clock.set(url.expiresAt());
    assertThat(fetch(url)).isEqualTo(403);

    // with less life left than asked, a fresh session signs: the URL lasts as long as asked
    clock.set(signedAt.plus(Duration.ofMinutes(4)));
    String cached = backend.chain().credentials().resolveCredentials().accessKeyId();
    SignedUrl fresh = backend.signDownloadUrl(ORG_A, KEY, Duration.ofMinutes(3));
    assertThat(fresh.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(3)));
    assertThat(fresh.uri().getRawQuery()).doesNotContain(cached);
    clock.set(fresh.expiresAt().minusSeconds(1));
    assertThat(fetch(fresh)).isEqualTo(200);
  }

  @Test
  void aConnectionCutInTheMiddleOfAPartIsRetried() {
    S3Faults.Rule cut = faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 2)
        .times(1).apply(S3Fault.cutRequestBodyAfter(64 * 1024));
    long size = 3 * PART + 5;
    assertThat(put(backend, 5, size).sha256()).isEqualTo(GeneratedContent.sha256(5, size));
    assertThat(cut.applied()).isEqualTo(1);
    assertThat(uploadsInProgress()).isZero();
  }

  @Test
  void aPartThatNeverGetsThroughAbortsTheUploadAndLeavesNothing() {
    faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 2).always()
        .apply(S3Fault.cutRequestBodyAfter(64 * 1024));
    assertThatThrownBy(() -> put(backend, 6, 3 * PART)).isInstanceOfSatisfying(BackendUnavailableException.class,
        e -> assertThat(e.retryable()).isTrue());
    // a first part that fails while later ones are still being read: the reading stops with its failure
    faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 1).always()
        .apply(S3Fault.error(403, "AccessDenied", "Access Denied", java.util.Map.of()));
    assertThatThrownBy(() -> put(backend, 6, 12 * PART)).isInstanceOfSatisfying(
        org.binarybackends.AccessDeniedException.class, e -> assertThat(e.refused()).contains("s3:PutObject"));
    faults().clear();
    assertNothingLeft();
  }

  /**
   * Over the testkit's plain HTTP the SDK signs every chunk of a body, so S3 refuses flipped bytes by
   * their chunk signature before it gets to the part's SHA-256 (over HTTPS, real S3 uses unsigned
   * chunks and the checksum refuses them): either way the server refuses them, and they are sent again.
   */
  @Test
  void aCorruptedPartIsRefusedByTheServerAndSentAgain() {
    S3Faults.Rule corrupt = faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 2)
        .times(1).apply(S3Fault.corruptRequestBodyAt(100_000));
    long size = 3 * PART;
    assertThat(put(backend, 7, size).sha256()).isEqualTo(GeneratedContent.sha256(7, size));
    assertThat(corrupt.applied()).isEqualTo(1);
    try (BinaryContent content = backend.read(ORG_A, KEY)) {
      assertThat(GeneratedContent.digest(content.stream())).isEqualTo(GeneratedContent.sha256(7, size));
    }
  }

  @Test
  void aPartCorruptedEveryTimeFailsTheUploadAndLeavesNothing() {
    faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 1).always()
        .apply(S3Fault.corruptRequestBodyAt(100_000));
    // S3 refuses by the chunk signature; it may close the connection before the client has sent the
    // rest, which the client then sees as a broken pipe: either way a retryable failure, nothing stored
    assertThatThrownBy(() -> put(backend, 8, 2 * PART)).isInstanceOfSatisfying(BackendUnavailableException.class,
        e -> {
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).containsAnyOf("SignatureDoesNotMatch", "Broken pipe", "Connection reset");
        });
    faults().clear();
    assertNothingLeft();
  }

  @Test
  void aPartRefusedAsBadDigestIsSentAgainFromMemory() {
    S3Faults.Rule bad = faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 3).times(2)
        .apply(S3Fault.error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.",
            java.util.Map.of()));
    long size = 3 * PART - 1;
    assertThat(put(backend, 17, size).sha256()).isEqualTo(GeneratedContent.sha256(17, size));
    assertThat(bad.applied()).isEqualTo(2);
    faults().on(r -> r.operation() == S3Operation.PUT_OBJECT).times(S3Backend.SENDS)
        .apply(S3Fault.error(400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.",
            java.util.Map.of()));
    assertThatThrownBy(() -> backend.put(ORG_A, ObjectKey.of("small.bin"), new GeneratedContent(18, 10)))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("BadDigest");
  }

  @Test
  void aWrongExpectedDigestAbortsTheUploadAndKeepsTheEarlierVersion() {
    put(backend, 9, 2 * PART + 3);
    assertThatThrownBy(() -> backend.put(ORG_A, KEY, new GeneratedContent(10, 3 * PART),
        PutOptions.builder().expectedSha256(GeneratedContent.sha256(11, 3 * PART)).build()))
        .isInstanceOf(IntegrityException.class);
    assertThat(uploadsInProgress()).isZero();
    assertThat(backend.stat(ORG_A, KEY).sha256()).isEqualTo(GeneratedContent.sha256(9, 2 * PART + 3));
  }

  @Test
  void aCompletionWhoseAnswerWasLostIsCheckedBeforeItIsCalledFailed() {
    // the first Complete succeeds but its answer never arrives; the SDK's retry gets NoSuchUpload
    S3Faults.Rule lost = faults().on(r -> r.operation() == S3Operation.COMPLETE_MULTIPART_UPLOAD).times(1)
        .apply(S3Fault.cutResponseBodyAfter(0));
    long size = 2 * PART + 9;
    assertThat(put(backend, 12, size).sha256()).isEqualTo(GeneratedContent.sha256(12, size));
    assertThat(lost.applied()).isEqualTo(1);
    assertThat(backend.stat(ORG_A, KEY).sha256()).isEqualTo(GeneratedContent.sha256(12, size));
  }

  @Test
  void aDownloadCutInTheMiddleFailsLoudlyNeverShort() {
    put(backend, 13, 2 * PART);
    faults().on(r -> r.operation() == S3Operation.GET_OBJECT).times(1).apply(S3Fault.cutResponseBodyAfter(PART));
    try (BinaryContent content = backend.read(ORG_A, KEY)) {
      assertThatThrownBy(() -> content.stream().readAllBytes()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aRoleWithOnlyTheGuidesFourActionsWorksAndVerifyWarnsOnceAboutAbort() {
    faults().denyFor(S3Fixture.customerRole("org-a").toString(), S3Operation.ABORT_MULTIPART_UPLOAD);
    VerificationReport report = backend.verify();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.checks()).filteredOn(c -> c.name().equals("abort-multipart")).singleElement()
        .satisfies(c -> {
          assertThat(c.status()).isEqualTo(VerificationReport.Status.WARNING);
          assertThat(c.detail()).contains("s3:AbortMultipartUpload").contains("lifecycle rule");
        });
    long size = 2 * PART;
    assertThat(put(backend, 14, size).sha256()).isEqualTo(GeneratedContent.sha256(14, size));
    assertThatThrownBy(() -> backend.put(ORG_A, ObjectKey.of("fw/bad.bin"), new GeneratedContent(15, size),
        PutOptions.builder().expectedSha256(GeneratedContent.sha256(16, size)).build()))
        .isInstanceOf(IntegrityException.class);
    assertThat(uploadsInProgress()).as("left for the lifecycle rule").isEqualTo(2);
    assertThat(backend.list(ORG_A, "").map(b -> b.key().value())).containsExactly(KEY.value());
  }

  @Test
  void repeatedVerifiesOfARoleThatMayNotAbortLeaveOneEmptyUploadNotOnePerCheck() {
    faults().denyFor(S3Fixture.customerRole("org-a").toString(), S3Operation.ABORT_MULTIPART_UPLOAD);
    VerificationReport first = backend.verify();
    String warning = first.checks().stream().filter(c -> c.name().equals("abort-multipart")).findFirst().orElseThrow()
        .detail();
    assertThat(warning).contains("left one empty multipart upload").contains(".binary-backends/probes/")
        .contains("upload id");
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMinutes(15));
      VerificationReport again = backend.verify();
      assertThat(again.passed()).isTrue();
      assertThat(again.checks()).filteredOn(c -> c.name().equals("abort-multipart")).singleElement()
          .satisfies(c -> {
            assertThat(c.status()).isEqualTo(VerificationReport.Status.WARNING);
            assertThat(c.detail()).startsWith(warning).contains("not tried again before");
          });
    }
    assertThat(uploadsInProgress()).as("one probe upload for four checks").isEqualTo(1);
    clock.advance(Duration.ofDays(1));
    backend.verify();
    assertThat(uploadsInProgress()).as("tried again a day later").isEqualTo(2);
  }
}
