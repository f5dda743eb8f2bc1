package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.DirectUpload;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListRequest;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One organization's calls on the platform's bucket never reach another's objects, whatever keys,
 * prefixes, uploads and ids it tries; and a URL signed with the platform's session says the
 * session's end.
 */
class PlatformBucketIsolationTest {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private static final OrganizationId A = OrganizationId.of("org-a");
  private static final OrganizationId AB = OrganizationId.of("org-ab");

  private PlatformBucketSettings settings;
  private BinaryBackend backend;

  @BeforeEach
  void open() {
    fixture.useClock(java.time.Clock.systemUTC());
    settings = fixture.platformBucket("binaries/");
    backend = backend(StaticCredentialsProvider.create(software.amazon.awssdk.auth.credentials.AwsBasicCredentials
        .create("AKIAPLATFORMSTORAGE1", "platform-storage-secret-0123456789")));
  }

  @AfterEach
  void close() {
    backend.close();
  }

  private BinaryBackend backend(software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials) {
    S3Platform platform = new S3Platform(S3Fixture.PLATFORM_ACCOUNT, S3Fixture.PLATFORM_STORAGE_USER, credentials,
        AwsRegion.of("eu-west-1"), fixture.http);
    return new PlatformBucketProvider().create(settings, BackendContext.builder()
        .service(S3Platform.class, platform).build());
  }

  private StoredBinary put(OrganizationId org, String key, String content) {
    return backend.put(org, ObjectKey.of(key), new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anOrganizationsRootIsNeverAPrefixOfAnothersAndItsListingsStayInIt() {
    put(A, "fw/a.bin", "a");
    put(AB, "fw/ab.bin", "ab");
    put(AB, "org-a-lookalike.bin", "ab");
    assertThat(backend.list(A, "").map(ListedBinary::key).map(ObjectKey::value)).containsExactly("fw/a.bin");
    assertThat(backend.list(A, ListRequest.builder().prefix("fw/").build()).binaries()).extracting(b -> b.key().value())
        .containsExactly("fw/a.bin");
    assertThat(backend.list(AB, "").map(ListedBinary::key).map(ObjectKey::value))
        .containsExactlyInAnyOrder("fw/ab.bin", "org-a-lookalike.bin");
    // as laid out in the bucket: <prefix><organization>/<key>
    try (S3Client inspector = platformInspector()) {
      assertThat(inspector.listObjectsV2(r -> r.bucket(settings.bucket().value()).prefix("binaries/")).contents())
          .extracting(o -> o.key()).contains("binaries/org-a/fw/a.bin", "binaries/org-ab/fw/ab.bin");
    }
  }

  @Test
  void keysThatWouldEscapeTheRootStayInIt() {
    put(AB, "fw.bin", "the victim's");
    List<String> escapes = List.of("../org-ab/fw.bin", "./../org-ab/fw.bin", "%2e%2e/org-ab/fw.bin", "..%2Forg-ab/fw.bin");
    for (String escape : escapes) {
      ObjectKey key;
      try {
        key = ObjectKey.of(escape);
      } catch (InvalidInputException refused) {
        continue; // refused as a key at all: nothing to escape with
      }
      backend.put(A, key, new ByteArrayInputStream("the attacker's".getBytes(StandardCharsets.UTF_8)));
      assertThat(backend.stat(A, key).size()).isEqualTo("the attacker's".length());
    }
    try (var c = backend.read(AB, ObjectKey.of("fw.bin"))) {
      assertThat(new String(c.stream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("the victim's");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertThatThrownBy(() -> backend.stat(A, ObjectKey.of("fw.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThatThrownBy(() -> put(A, ".binary-backends/probes/x", "x")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(".binary-backends/");
  }

  @Test
  void anOrganizationIdThatWouldReachThePlatformsRecordsIsRefused() {
    for (String id : List.of(".binary-backends", "..", ".x")) {
      assertThatThrownBy(() -> put(OrganizationId.of(id), "fw.bin", "x")).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("organization").hasMessageContaining("not starting with '.'");
    }
  }

  @Test
  void aDirectUploadOfOneOrganizationCannotBeCompletedOrSignedAsAnother() {
    byte[] content = "direct".getBytes(StandardCharsets.UTF_8);
    Sha256Digest digest = Sha256Digest.of(S3Objects.sha256().digest(content));
    DirectUpload started = backend.directUploads().orElseThrow().start(A, ObjectKey.of("fw/d.bin"), content.length,
        digest);
    DirectUpload forged = new DirectUpload(new org.binarybackends.BinaryLocation(started.location().instance(), AB,
        started.location().key()), started.uploadId(), started.size(), started.sha256(), started.partSize(),
        started.partCount());
    // its part URLs point under the other organization's root, where the upload was never started
    var part = backend.directUploads().orElseThrow().presignPart(forged, 1, digest, Duration.ofMinutes(5));
    assertThat(part.uri().getPath()).contains("/binaries/org-ab/.binary-backends/uploads/");
    assertThatThrownBy(() -> backend.directUploads().orElseThrow().complete(forged))
        .isInstanceOf(org.binarybackends.BinaryBackendException.class);
    assertThatThrownBy(() -> backend.stat(AB, ObjectKey.of("fw/d.bin"))).isInstanceOf(BinaryNotFoundException.class);
    backend.directUploads().orElseThrow().abort(started);
  }

  @Test
  void aUrlSignedWithThePlatformsSessionSaysTheSessionsEndAndLongLivedKeysTheTtl() {
    put(A, "fw.bin", "x");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    SignedUrl byKeys = backend.signDownloadUrl(A, ObjectKey.of("fw.bin"), Duration.ofHours(1));
    assertThat(byKeys.expiresAt()).isBetween(now.plus(Duration.ofMinutes(59)), now.plus(Duration.ofHours(1))
        .plusSeconds(5));
    Instant sessionEnd = now.plus(Duration.ofMinutes(10));
    try (BinaryBackend onSession = backend(StaticCredentialsProvider.create(AwsSessionCredentials.builder()
        .accessKeyId("AKIAPLATFORMSTORAGE1").secretAccessKey("platform-storage-secret-0123456789")
        .sessionToken("instance-profile-session").expirationTime(sessionEnd).build()))) {
      SignedUrl url = onSession.signDownloadUrl(A, ObjectKey.of("fw.bin"), Duration.ofHours(1));
      assertThat(url.expiresAt()).isEqualTo(sessionEnd);
    }
  }

  private S3Client platformInspector() {
    return fixture.platformInspector();
  }
}
