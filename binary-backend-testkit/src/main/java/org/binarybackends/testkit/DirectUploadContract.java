package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.IntegrityException;
import org.binarybackends.ObjectKey;
import org.binarybackends.PresignedPart;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.UploadedPart;
import org.junit.jupiter.api.Test;

/**
 * The direct upload contract, for a backend whose {@link org.binarybackends.BinaryBackend#directUploads()}
 * offers them: a client sends parts straight to the storage through presigned URLs, in any order,
 * resumes by asking which arrived, and the binary appears only once the backend has checked the
 * whole; a part whose bytes are not its declared SHA-256 is refused by the storage; a missing part
 * leaves the upload open to finish; a record changed after {@code start} lands nothing; an abort
 * leaves nothing. A backend's test adds it to {@link BinaryBackendContract}:
 * {@code class MyTest extends BinaryBackendContract implements DirectUploadContract}.
 */
public interface DirectUploadContract extends ContractSubject {
  /** The key direct uploads go under. */
  ObjectKey DIRECT_KEY = ObjectKey.of("fw/direct.bin");

  /** The backend's direct uploads. */
  default DirectUploads uploads() {
    return backend().directUploads().orElseThrow(() -> new AssertionError(
        "the backend offers no direct uploads: do not implement DirectUploadContract for it"));
  }

  /** The bytes of part {@code n} of generated content {@code seed}. */
  private static byte[] partOf(long seed, DirectUpload u, int n) throws IOException {
    try (GeneratedContent in = new GeneratedContent(seed, u.size())) {
      in.skipNBytes(u.partSize() * (n - 1));
      return in.readNBytes((int) u.partLength(n));
    }
  }

  private static Sha256Digest sha256(byte[] bytes) {
    return GeneratedContent.digest(new ByteArrayInputStream(bytes));
  }

  /** The client's side: a plain HTTP PUT of the bytes with the headers it was given; the status. */
  private static int send(PresignedPart url, byte[] bytes) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(url.uri()).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
    url.headers().forEach(r::header);
    return ContractStreams.HTTP.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Sends part {@code n} of generated content {@code seed} through a URL presigned for its own digest. */
  private int sendPart(long seed, DirectUpload u, int n) throws Exception {
    byte[] bytes = partOf(seed, u, n);
    return send(uploads().presignPart(u, n, sha256(bytes), Duration.ofMinutes(15)), bytes);
  }

  /** A binary of two full parts and a short third one. */
  private long directSize(long partSize) {
    return 2 * partSize + 1234;
  }

  private DirectUpload started(long seed) {
    // a first start only learns the part size the backend chooses, then is aborted
    DirectUpload probe = uploads().start(org(), DIRECT_KEY, 1, GeneratedContent.sha256(0, 1));
    uploads().abort(probe);
    long size = directSize(probe.partSize());
    return uploads().start(org(), DIRECT_KEY, size, GeneratedContent.sha256(seed, size));
  }

  @Test
  default void aClientSendsPartsInAnyOrderResumesAndTheBinaryAppearsOnlyWhenComplete() throws Exception {
    DirectUpload u = started(61);
    assertThat(u.partCount()).isEqualTo(3);
    assertThat(u.partLength(3)).isEqualTo(1234);
    assertThat(u.location().organization()).isEqualTo(org());
    assertThat(sendPart(61, u, 2)).isEqualTo(200);
    assertThat(uploads().uploadedParts(u)).extracting(UploadedPart::partNumber).containsExactly(2);
    assertThatThrownBy(() -> backend().stat(org(), DIRECT_KEY)).isInstanceOf(BinaryNotFoundException.class);
    assertThat(sendPart(61, u, 3)).isEqualTo(200);
    assertThat(sendPart(61, u, 1)).isEqualTo(200);
    assertThat(uploads().uploadedParts(u)).extracting(UploadedPart::partNumber).containsExactly(1, 2, 3);
    StoredBinary stored = uploads().complete(u);
    assertThat(stored.sha256()).isEqualTo(u.sha256());
    assertThat(stored.size()).isEqualTo(u.size());
    assertThat(backend().stat(org(), DIRECT_KEY).sha256()).isEqualTo(u.sha256());
    try (BinaryContent c = backend().read(org(), DIRECT_KEY)) {
      assertThat(GeneratedContent.digest(c.stream())).isEqualTo(u.sha256());
    }
    assertThat(listedKeys(org(), "")).containsExactly(DIRECT_KEY.value());
  }

  @Test
  default void aPartWhoseBytesAreNotItsDeclaredDigestIsRefusedByTheStorage() throws Exception {
    DirectUpload u = started(62);
    byte[] right = partOf(62, u, 1);
    byte[] wrong = right.clone();
    wrong[wrong.length / 2] ^= 1;
    PresignedPart url = uploads().presignPart(u, 1, sha256(right), Duration.ofMinutes(15));
    boolean refused;
    try {
      int status = send(url, wrong);
      refused = status >= 400 && status < 500;
    } catch (IOException e) {
      refused = true; // the storage closed the connection before reading the whole body: refused too
    }
    assertThat(refused).as("the storage refuses bytes that are not the part's declared SHA-256").isTrue();
    assertThat(uploads().uploadedParts(u)).isEmpty();
    uploads().abort(u);
  }

  @Test
  default void aMissingPartLeavesTheUploadOpenToFinish() throws Exception {
    DirectUpload u = started(63);
    sendPart(63, u, 1);
    sendPart(63, u, 3);
    assertThatThrownBy(() -> uploads().complete(u)).isInstanceOfSatisfying(IntegrityException.class, e -> {
      assertThat(e.getMessage()).contains("2");
      assertThat(e.uploadStillOpen()).as("says the same upload may be completed again").isTrue();
    });
    assertThatThrownBy(() -> backend().stat(org(), DIRECT_KEY)).isInstanceOf(BinaryNotFoundException.class);
    assertThat(sendPart(63, u, 2)).isEqualTo(200);
    assertThat(uploads().complete(u).sha256()).isEqualTo(u.sha256());
  }

  @Test
  default void aRecordChangedAfterStartLandsNothing() throws Exception {
    putGenerated(DIRECT_KEY.value(), 5, 100); // what the key holds before
    DirectUpload u = started(64);
    for (int n = 1; n <= u.partCount(); n++) {
      sendPart(64, u, n);
    }
    DirectUpload tampered = new DirectUpload(u.location(), u.uploadId(), u.size(), GeneratedContent.sha256(999, 1),
        u.partSize(), u.partCount());
    assertThatThrownBy(() -> uploads().complete(tampered)).isInstanceOfSatisfying(BinaryBackendException.class,
        e -> assertThat(e instanceof IntegrityException && ((IntegrityException) e).uploadStillOpen())
            .as("says the upload was removed: start again").isFalse());
    assertThat(backend().stat(org(), DIRECT_KEY).sha256()).as("the previous version stays")
        .isEqualTo(GeneratedContent.sha256(5, 100));
  }

  @Test
  default void anAbortLeavesNothingAndMayBeRepeated() throws Exception {
    DirectUpload u = started(65);
    sendPart(65, u, 1);
    uploads().abort(u);
    uploads().abort(u);
    assertThatThrownBy(() -> uploads().complete(u)).isInstanceOf(BinaryBackendException.class);
    assertThatThrownBy(() -> backend().stat(org(), DIRECT_KEY)).isInstanceOf(BinaryNotFoundException.class);
    assertThat(listedKeys(org(), "")).isEmpty();
  }
}
