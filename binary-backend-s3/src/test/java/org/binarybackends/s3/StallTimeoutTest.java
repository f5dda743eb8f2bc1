package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.StoredBinary;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.S3Fault;
import org.binarybackends.testkit.s3.S3Faults;
import org.binarybackends.testkit.s3.S3Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A server that stops reading a part in the middle: the socket timeout (here ten minutes, so that it
 * cannot be what ends the wait) bounds reads only, and a write blocked on a full socket buffer waits
 * with no end. The platform's stall timeout aborts it; a slow but steady upload is never cut.
 * The class timeout only keeps a regression from hanging the build: no assertion is about time.
 */
@Timeout(180)
class StallTimeoutTest {
  private static final long PART = 32L << 20;
  private static final Duration STALL = Duration.ofSeconds(2);
  private static final OrganizationId ORG = OrganizationId.of("org-stall");
  private static final ObjectKey KEY = ObjectKey.of("fw/stalled.bin");
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private static final SdkHttpClient PATIENT = Apache5HttpClient.builder().socketTimeout(Duration.ofMinutes(10)).build();

  private final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private S3Settings settings;
  private S3Backend backend;

  @BeforeEach
  void onboard() {
    fixture.useClock(clock);
    settings = fixture.onboard(ORG.value(), true);
    S3Platform platform = fixture.platform.withHttpClient(PATIENT).withStallTimeout(STALL);
    backend = (S3Backend) new S3BackendProvider().create(settings, BackendContext.builder().clock(clock)
        .service(S3Platform.class, platform).service(S3Transfer.class, new S3Transfer(PART, 2)).build());
  }

  @AfterEach
  void reset() {
    backend.close();
    fixture.s3.faults().clear();
  }

  @AfterAll
  static void closeClient() {
    PATIENT.close();
  }

  private S3Faults faults() {
    return fixture.s3.faults();
  }

  private StoredBinary put(long seed, long size) {
    return backend.put(ORG, KEY, new GeneratedContent(seed, size), PutOptions.builder().contentLength(size).build());
  }

  private int uploadsInProgress() {
    try (S3Client s3 = fixture.inspector(backend)) {
      return s3.listMultipartUploads(r -> r.bucket(settings.bucket().value())).uploads().size();
    }
  }

  @Test
  void aPartWhoseServerStopsReadingIsAbortedAndSentAgain() {
    S3Faults.Rule stall = faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 1)
        .times(1).apply(S3Fault.stallRequestBodyAfter(64 * 1024));
    long size = 2 * PART + 11;
    assertThat(put(1, size).sha256()).isEqualTo(GeneratedContent.sha256(1, size));
    assertThat(stall.applied()).isEqualTo(1);
    assertThat(uploadsInProgress()).isZero();
  }

  @Test
  void aPartThatStallsEveryTimeFailsThePutRetryablyAndLeavesNothing() {
    faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 2).always()
        .apply(S3Fault.stallRequestBodyAfter(64 * 1024));
    assertThatThrownBy(() -> put(2, 2 * PART)).isInstanceOfSatisfying(BackendUnavailableException.class, e -> {
      assertThat(e.retryable()).isTrue();
      assertThat(e.getMessage()).contains("S3Platform.stallTimeout");
    });
    faults().clear();
    assertThatThrownBy(() -> backend.stat(ORG, KEY)).isInstanceOf(BinaryNotFoundException.class);
    assertThat(uploadsInProgress()).as("multipart uploads left behind").isZero();
  }

  /**
   * Every try of this part is read slowly: had the stall timeout been a timer on the whole request
   * (as an API call attempt timeout is), each would be cut and the put would fail. (Progress is seen
   * as the HTTP client's writes return, and Linux wakes a blocked writer once a third of the socket's
   * send buffer, up to 4 MiB on loopback, is free: the rate is high enough for that to take well
   * under the stall timeout.)
   */
  @Test
  void aSlowButSteadyPartIsNeverCut() {
    S3Faults.Rule slow = faults().on(r -> r.operation() == S3Operation.UPLOAD_PART && r.partNumber() == 1).always()
        .apply(S3Fault.slowRequestBody(4L << 20)); // 32 MiB at 4 MiB/s: several times the stall timeout
    long size = PART + 5;
    assertThat(put(3, size).sha256()).isEqualTo(GeneratedContent.sha256(3, size));
    assertThat(slow.applied()).as("sent once: never aborted and retried").isEqualTo(1);
  }

  @Test
  void theStallTimeoutIsBounded() {
    for (Duration bad : new Duration[] {null, Duration.ofMillis(99), Duration.ofHours(2)}) {
      assertThatThrownBy(() -> fixture.platform.withStallTimeout(bad)).isInstanceOfSatisfying(
          InvalidInputException.class, e -> assertThat(e.getMessage()).contains("platform.stallTimeout",
              "100 milliseconds to 1 hour"));
    }
    assertThat(fixture.platform.stallTimeout()).isEqualTo(S3Platform.DEFAULT_STALL_TIMEOUT);
  }
}
