package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.IntegrityException;
import org.binarybackends.ObjectKey;
import org.binarybackends.PresignedPart;
import org.binarybackends.QuotaExceededException;
import org.binarybackends.Sha256Digest;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.quota.QuotaUsage;
import org.binarybackends.quota.StorageQuota;
import org.binarybackends.quota.StorageQuotas;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.ForwardingStateStore;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.QuotaContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Quotas on the platform's bucket (a bucket of its own per test, on the embedded S3 server), and on
 * its direct uploads: a start reserves the declared size for whichever instance completes or aborts
 * the upload.
 */
class PlatformBucketQuotaTest extends QuotaContract {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final InMemoryStateStore store = new InMemoryStateStore();
  private BinaryBackend storage;

  @BeforeEach
  void open() {
    fixture.useClock(Clock.systemUTC());
    storage = new PlatformBucketProvider().create(fixture.platformBucket("binaries/"), BackendContext.builder()
        .service(S3Platform.class, fixture.platformWithStorageKeys()).build());
  }

  @AfterEach
  void close() {
    storage.close();
  }

  @Override
  protected BinaryBackends instance(StorageQuotas quotas, Clock clock) {
    return instanceOn(new ForwardingStateStore(store), storage, quotas, clock);
  }

  @Override
  protected BinaryBackend storage() {
    return storage;
  }

  @Override
  protected NoteStore notes() {
    return store;
  }

  private static DirectUploads direct(BinaryBackends b) {
    return b.defaultStorage().directUploads().orElseThrow();
  }

  private static QuotaUsage usage(BinaryBackends b) {
    return b.quotaUsage(ORG).orElseThrow();
  }

  /** The client's side: the one part of a small direct upload, sent as presigned. */
  private static void send(DirectUploads uploads, DirectUpload u, byte[] bytes) throws Exception {
    PresignedPart url = uploads.presignPart(u, 1, GeneratedContent.digest(new ByteArrayInputStream(bytes)),
        Duration.ofMinutes(15));
    HttpRequest.Builder r = HttpRequest.newBuilder(url.uri()).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    url.headers().forEach(r::header);
    assertThat(HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
  }

  private static byte[] bytes(long seed, int length) throws Exception {
    try (GeneratedContent in = new GeneratedContent(seed, length)) {
      return in.readAllBytes();
    }
  }

  @Test
  void aDirectUploadReservesItsSizeAtStartUntilAnyInstanceAbortsIt() throws Exception {
    BinaryBackends one = limited(StorageQuota.bytes(1000));
    BinaryBackends two = limited(StorageQuota.bytes(1000));
    assertThatThrownBy(() -> direct(one).start(ORG, ObjectKey.of("too-large"), 1001, GeneratedContent.sha256(1, 1001)))
        .isInstanceOfSatisfying(QuotaExceededException.class, e -> {
          assertThat(e.maximum()).isEqualTo(1000);
          assertThat(e.requested()).isEqualTo(1001);
        });
    assertThat(usage(two).uploadsInFlight()).as("nothing reserved by a refused start").isZero();

    DirectUpload started = direct(one).start(ORG, ObjectKey.of("direct"), 800, GeneratedContent.sha256(2, 800));
    assertThat(usage(two)).extracting(QuotaUsage::reservedBytes, QuotaUsage::reservedBinaries,
        QuotaUsage::uploadsInFlight).containsExactly(800L, 1L, 1);
    assertThatThrownBy(() -> put(two, "put", 201, true)).isInstanceOf(QuotaExceededException.class);
    assertThatThrownBy(() -> direct(two).start(ORG, ObjectKey.of("direct-2"), 201, GeneratedContent.sha256(3, 201)))
        .isInstanceOf(QuotaExceededException.class);

    direct(two).abort(started);
    assertThat(usage(one)).extracting(QuotaUsage::reservedBytes, QuotaUsage::uploadsInFlight).containsExactly(0L, 0);
    put(two, "put", 1000, true);
  }

  @Test
  void aDirectUploadCompletedOnAnotherInstanceIsCountedAsStored() throws Exception {
    BinaryBackends one = limited(StorageQuota.bytes(1000));
    BinaryBackends two = limited(StorageQuota.bytes(1000));
    byte[] content = bytes(4, 700);
    DirectUpload u = direct(one).start(ORG, ObjectKey.of("direct"), 700, GeneratedContent.digest(
        new ByteArrayInputStream(content)));
    send(direct(one), u, content);
    assertThat(direct(two).complete(u).size()).isEqualTo(700);
    assertThat(usage(one)).extracting(QuotaUsage::storedBytes, QuotaUsage::storedBinaries, QuotaUsage::reservedBytes,
        QuotaUsage::uploadsInFlight).containsExactly(700L, 1L, 0L, 0);

    // an overwrite by a direct upload counts the difference
    byte[] smaller = bytes(5, 300);
    DirectUpload again = direct(two).start(ORG, ObjectKey.of("direct"), 300, GeneratedContent.digest(
        new ByteArrayInputStream(smaller)));
    send(direct(two), again, smaller);
    direct(one).complete(again);
    assertThat(usage(two)).extracting(QuotaUsage::storedBytes, QuotaUsage::storedBinaries, QuotaUsage::reservedBytes)
        .containsExactly(300L, 1L, 0L);
  }

  @Test
  void aDirectUploadRefusedAtCompletionGivesItsReservationBack() throws Exception {
    BinaryBackends b = limited(StorageQuota.bytes(1000));
    byte[] content = bytes(6, 600);
    Sha256Digest other = GeneratedContent.sha256(7, 600);
    DirectUpload u = direct(b).start(ORG, ObjectKey.of("direct"), 600, other); // declares a digest the bytes lack
    send(direct(b), u, content);
    assertThatThrownBy(() -> direct(b).complete(u)).isInstanceOf(IntegrityException.class);
    assertThatThrownBy(() -> storage.stat(ORG, ObjectKey.of("direct")))
        .isInstanceOf(org.binarybackends.BinaryNotFoundException.class);
    assertThat(usage(b)).extracting(QuotaUsage::storedBytes, QuotaUsage::reservedBytes, QuotaUsage::uploadsInFlight)
        .containsExactly(0L, 0L, 0);
  }

  @Test
  void aDirectUploadMissingAPartKeepsItsReservationForTheRetry() throws Exception {
    BinaryBackends b = limited(StorageQuota.bytes(1000));
    byte[] content = bytes(8, 500);
    DirectUpload u = direct(b).start(ORG, ObjectKey.of("direct"), 500, GeneratedContent.digest(
        new ByteArrayInputStream(content)));
    assertThatThrownBy(() -> direct(b).complete(u)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("has not arrived");
    assertThat(usage(b).reservedBytes()).isEqualTo(500);
    send(direct(b), u, content);
    direct(b).complete(u);
    assertThat(usage(b)).extracting(QuotaUsage::storedBytes, QuotaUsage::reservedBytes).containsExactly(500L, 0L);
  }
}
