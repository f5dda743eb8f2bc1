package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PresignedPart;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.UploadedPart;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/** Clients upload configurations straight to the bucket through presigned URLs; the library completes or refuses. */
class DirectUploadTest {
  private static final OrganizationId ORG = OrganizationId.of("org-d");
  private static final ObjectKey KEY = ObjectKey.of("fw/direct.bin");
  private static final long PART = S3Transfer.MIN_PART;
  private static final long SIZE = 2 * PART + 1234;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();

  private final ManualClock clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private S3Settings settings;
  private S3Backend backend;
  private DirectUploads uploads;

  @BeforeEach
  void onboard() {
    fixture.useClock(clock);
    settings = fixture.onboard(ORG.value(), true);
    backend = fixture.backend(settings, clock, new S3Transfer(PART, 2));
    uploads = backend.directUploads().orElseThrow();
  }

  @AfterEach
  void close() {
    backend.close();
  }

  /** The bytes of part {@code n} of the generated binary {@code seed}. */
  private static byte[] part(long seed, long size, DirectUpload u, int n) throws Exception {
    try (GeneratedContent in = new GeneratedContent(seed, size)) {
      in.skipNBytes(u.partSize() * (n - 1));
      return in.readNBytes((int) u.partLength(n));
    }
  }

  private static Sha256Digest sha256(byte[] bytes) {
    return GeneratedContent.digest(new java.io.ByteArrayInputStream(bytes));
  }

  /** The client's side: a plain HTTP PUT of the part with the headers it was given. */
  private static int send(PresignedPart url, byte[] bytes) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(url.uri()).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    url.headers().forEach(r::header);
    return HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Whether the server refused the part: an HTTP error, or the connection closed before the body was read. */
  private static boolean refused(PresignedPart url, byte[] bytes) {
    try {
      int status = send(url, bytes);
      return status >= 400 && status < 500;
    } catch (Exception e) {
      return e instanceof java.io.IOException;
    }
  }

  private int uploadsInProgress() {
    try (S3Client s3 = fixture.inspector(settings)) {
      return s3.listMultipartUploads(r -> r.bucket(settings.bucket().value())).uploads().size();
    }
  }

  @Test
  void aClientUploadsPartsResumesAndTheBinaryAppearsOnlyWhenComplete() throws Exception {
    DirectUpload u = uploads.start(ORG, KEY, SIZE, GeneratedContent.sha256(1, SIZE));
    assertThat(u.partCount()).isEqualTo(3);
    assertThat(u.partLength(3)).isEqualTo(1234);
    byte[] second = part(1, SIZE, u, 2);
    PresignedPart url2 = uploads.presignPart(u, 2, sha256(second), Duration.ofMinutes(15));
    assertThat(url2.toString()).doesNotContain("X-Amz-Signature=");
    assertThat(url2.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(15)));
    assertThat(send(url2, second)).isEqualTo(200);
    // the client resumes: only part 2 arrived
    assertThat(uploads.uploadedParts(u)).extracting(UploadedPart::partNumber).containsExactly(2);
    assertThatThrownBy(() -> backend.stat(ORG, KEY)).isInstanceOf(BinaryNotFoundException.class);
    for (int n : new int[] {1, 3}) {
      byte[] bytes = part(1, SIZE, u, n);
      assertThat(send(uploads.presignPart(u, n, sha256(bytes), Duration.ofMinutes(15)), bytes)).isEqualTo(200);
    }
    StoredBinary stored = uploads.complete(u);
    assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(1, SIZE));
    assertThat(backend.stat(ORG, KEY).sha256()).isEqualTo(GeneratedContent.sha256(1, SIZE));
    try (BinaryContent c = backend.read(ORG, KEY)) {
      assertThat(GeneratedContent.digest(c.stream())).isEqualTo(GeneratedContent.sha256(1, SIZE));
    }
    assertThat(backend.list(ORG, "").map(b -> b.key().value())).containsExactly(KEY.value());
    assertThat(uploadsInProgress()).isZero();
  }

  @Test
  void bytesOtherThanThePartsDeclaredSha256AreRefusedByTheServer() throws Exception {
    DirectUpload u = uploads.start(ORG, KEY, SIZE, GeneratedContent.sha256(2, SIZE));
    byte[] first = part(2, SIZE, u, 1);
    PresignedPart url = uploads.presignPart(u, 1, sha256(first), Duration.ofMinutes(5));
    byte[] tampered = first.clone();
    tampered[100] ^= 1;
    assertThat(refused(url, tampered)).isTrue();
    assertThat(uploads.uploadedParts(u)).isEmpty();
    assertThat(refused(url, java.util.Arrays.copyOf(first, first.length - 1))).as("a shorter part").isTrue();
    assertThat(uploads.uploadedParts(u)).isEmpty();
    assertThat(send(url, first)).isEqualTo(200);
    uploads.abort(u);
    uploads.abort(u);
    assertThat(uploadsInProgress()).isZero();
  }

  @Test
  void missingPartsOrAWholeThatIsNotTheDeclaredBinaryChangeNothingUnderTheKey() throws Exception {
    backend.put(ORG, KEY, new GeneratedContent(3, 500));
    DirectUpload u = uploads.start(ORG, KEY, SIZE, GeneratedContent.sha256(4, SIZE)); // declares binary 4
    byte[] first = part(5, SIZE, u, 1); // but sends binary 5: each part matches its own checksum
    send(uploads.presignPart(u, 1, sha256(first), Duration.ofMinutes(5)), first);
    assertThatThrownBy(() -> uploads.complete(u)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("part 2 has not arrived").hasMessageContaining("part 3 has not arrived");
    for (int n : new int[] {2, 3}) {
      byte[] bytes = part(5, SIZE, u, n);
      send(uploads.presignPart(u, n, sha256(bytes), Duration.ofMinutes(5)), bytes);
    }
    assertThatThrownBy(() -> uploads.complete(u)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(GeneratedContent.sha256(4, SIZE).hex());
    assertThat(backend.stat(ORG, KEY).sha256()).as("the earlier version").isEqualTo(GeneratedContent.sha256(3, 500));
    assertThat(uploadsInProgress()).isZero();
    try (S3Client s3 = fixture.inspector(settings)) {
      assertThat(s3.listObjectsV2(r -> r.bucket(settings.bucket().value())).contents()).extracting(o -> o.key())
          .containsExactly(KEY.value());
    }
  }

  @Test
  void aRecordChangedAfterStartIsRefusedNotTrusted() throws Exception {
    backend.put(ORG, KEY, new GeneratedContent(3, 500));
    DirectUpload started = uploads.start(ORG, KEY, SIZE, GeneratedContent.sha256(6, SIZE)); // declares binary 6
    for (int n = 1; n <= started.partCount(); n++) {
      byte[] bytes = part(7, SIZE, started, n); // sends binary 7, each part true to its own checksum
      assertThat(send(uploads.presignPart(started, n, sha256(bytes), Duration.ofMinutes(5)), bytes)).isEqualTo(200);
    }
    // the service's record, round-tripped through the client, now claims binary 7 under another key
    DirectUpload changed = new DirectUpload(new BinaryLocation(started.location().instance(), ORG,
        ObjectKey.of("fw/elsewhere.bin")), started.uploadId(), started.size(), GeneratedContent.sha256(7, SIZE),
        started.partSize(), started.partCount());
    assertThatThrownBy(() -> uploads.complete(changed)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining("record was changed after start").hasMessageContaining("sha256")
        .hasMessageContaining("fw/elsewhere.bin");
    assertThatThrownBy(() -> backend.stat(ORG, ObjectKey.of("fw/elsewhere.bin"))).isInstanceOf(
        BinaryNotFoundException.class);
    assertThat(backend.stat(ORG, KEY).sha256()).as("the earlier version").isEqualTo(GeneratedContent.sha256(3, 500));
    assertThat(uploadsInProgress()).isZero();
    try (S3Client s3 = fixture.inspector(settings)) {
      assertThat(s3.listObjectsV2(r -> r.bucket(settings.bucket().value())).contents()).extracting(o -> o.key())
          .containsExactly(KEY.value());
    }
  }

  @Test
  void badInputIsRefusedByName() {
    Sha256Digest any = GeneratedContent.sha256(6, 10);
    assertThatThrownBy(() -> uploads.start(ORG, KEY, (5L << 30) + 1, any)).isInstanceOfSatisfying(
        InvalidInputException.class, e -> assertThat(e.violations().get(0).field()).isEqualTo("size"));
    assertThatThrownBy(() -> uploads.start(OrganizationId.of("org-other"), KEY, 10, any))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("organization"));
    assertThatThrownBy(() -> uploads.start(ORG, ObjectKey.of(".binary-backends/x"), 10, any))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("the library's records");
    DirectUpload u = uploads.start(ORG, KEY, 10, any);
    assertThatThrownBy(() -> uploads.presignPart(u, 2, any, Duration.ofMinutes(1)))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("partNumber"));
    assertThatThrownBy(() -> uploads.presignPart(u, 1, any, Duration.ofDays(8)))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.violations().get(0).field()).isEqualTo("ttl"));
    uploads.abort(u);
  }
}
