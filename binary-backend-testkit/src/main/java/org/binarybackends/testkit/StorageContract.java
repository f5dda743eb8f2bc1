package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ContentReadException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.RangeNotSatisfiableException;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The storage contract of a {@link org.binarybackends.BinaryBackend}: put (known and unknown length,
 * every boundary of its part size, declared lengths and digests, a caller's stream failing midway),
 * read whole and by range, stat, overwrite, delete, keys of every S3 shape, organizations kept apart,
 * concurrent writers and readers, and a closed backend. Implemented by {@link BinaryBackendContract},
 * which a backend's test extends.
 */
public interface StorageContract extends ContractSubject {
  @Test
  default void emptyBinaryRoundTrips() {
    StoredBinary stored = putGenerated("empty.bin", 1, 0);
    assertThat(stored.size()).isZero();
    assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(1, 0));
    assertThat(readDigest(org(), "empty.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(1, 0));
    assertThat(backend().stat(org(), ObjectKey.of("empty.bin")).size()).isZero();
  }

  /** Sizes around every boundary of the backend's part or buffer size. */
  default List<Long> boundarySizes() {
    long p = part();
    return List.of(1L, 1000L, p - 1, p, p + 1, 2 * p + 17, 3 * p);
  }

  @Test
  default void binariesOfEveryBoundarySizeRoundTripWithKnownLength() {
    for (long size : boundarySizes()) {
      String key = "fw/known-" + size + ".bin";
      StoredBinary stored = putGenerated(key, size, size);
      Sha256Digest expected = GeneratedContent.sha256(size, size);
      assertThat(stored.size()).as("size of %s", key).isEqualTo(size);
      assertThat(stored.sha256()).as("digest of %s", key).isEqualTo(expected);
      assertThat(stored.location().instance()).isEqualTo(backend().instanceId());
      assertThat(stored.location().organization()).isEqualTo(org());
      assertThat(readDigest(org(), key, ByteRange.all())).as("read back %s", key).isEqualTo(expected);
      StoredBinary stat = backend().stat(org(), ObjectKey.of(key));
      assertThat(stat.size()).isEqualTo(size);
      assertThat(stat.sha256()).isEqualTo(expected);
    }
  }

  @Test
  default void binariesOfUnknownLengthArrivingInSmallPiecesRoundTrip() {
    for (long size : boundarySizes()) {
      String key = "fw/unknown-" + size + ".bin";
      InputStream trickle = new ContractStreams.TrickleStream(new GeneratedContent(size, size), 1021);
      StoredBinary stored = backend().put(org(), ObjectKey.of(key), trickle);
      assertThat(stored.size()).isEqualTo(size);
      assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(size, size));
      assertThat(readDigest(org(), key, ByteRange.all())).isEqualTo(GeneratedContent.sha256(size, size));
    }
  }

  @Test
  default void aDeclaredLengthThatDiffersStoresNothing() {
    long size = part() + 3;
    putGenerated("fw/a.bin", 7, 100);
    for (long declared : new long[] {size - 1, size + 1}) {
      assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("fw/a.bin"), new GeneratedContent(1, size),
          PutOptions.builder().contentLength(declared).build()))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("declared " + declared);
      assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("fw/new.bin"), new GeneratedContent(1, size),
          PutOptions.builder().contentLength(declared).build()))
          .isInstanceOf(IntegrityException.class);
    }
    assertThat(readDigest(org(), "fw/a.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(7, 100));
    assertThat(listedKeys(org(), "")).containsExactly("fw/a.bin");
  }

  @Test
  default void theRightExpectedDigestIsAccepted() {
    long size = 2 * part() + 5;
    Sha256Digest digest = GeneratedContent.sha256(3, size);
    StoredBinary stored = backend().put(org(), ObjectKey.of("fw/signed.bin"), new GeneratedContent(3, size),
        PutOptions.builder().expectedSha256(digest.hex().toUpperCase()).contentLength(size).build());
    assertThat(stored.sha256()).isEqualTo(digest);
  }

  @Test
  default void aWrongExpectedDigestStoresNothingAndKeepsThePreviousVersion() {
    putGenerated("fw/a.bin", 11, 1000);
    long size = 2 * part() + 5;
    Sha256Digest wrong = GeneratedContent.sha256(4, size);
    assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("fw/a.bin"), new GeneratedContent(5, size),
        PutOptions.builder().expectedSha256(wrong).build()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(wrong.hex())
        .hasMessageContaining(GeneratedContent.sha256(5, size).hex());
    assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("fw/b.bin"), new GeneratedContent(5, size),
        PutOptions.builder().expectedSha256(wrong).build()))
        .isInstanceOf(IntegrityException.class);
    assertThat(backend().stat(org(), ObjectKey.of("fw/a.bin")).sha256()).isEqualTo(GeneratedContent.sha256(11, 1000));
    assertThat(readDigest(org(), "fw/a.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(11, 1000));
    assertThat(listedKeys(org(), "")).containsExactly("fw/a.bin");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
      "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
  default void malformedDigestsAreRefusedNamingTheField(String hex) {
    assertThatThrownBy(() -> PutOptions.builder().expectedSha256(hex))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sha256")
        .hasMessageContaining("hex");
  }

  @Test
  default void aStreamFailingMidwayStoresNothingAndKeepsThePreviousVersion() {
    putGenerated("fw/a.bin", 21, 5000);
    InputStream failing = ContractStreams.BoundedStream.failingAfter(new GeneratedContent(22, 10 * part()), part() + 10);
    // the caller's stream failed, not the storage: said by type, with how far the stream got
    assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("fw/a.bin"), failing))
        .isInstanceOfSatisfying(ContentReadException.class, e -> {
          assertThat(e.bytesRead()).isEqualTo(part() + 10);
          assertThat(e.getCause()).isInstanceOf(IOException.class);
          assertThat(e.getMessage()).contains("after " + (part() + 10) + " bytes");
        });
    assertThat(readDigest(org(), "fw/a.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(21, 5000));
    assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("fw/b.bin"),
        ContractStreams.BoundedStream.failingAfter(new GeneratedContent(22, 10 * part()), 10)))
        .isInstanceOfSatisfying(ContentReadException.class, e -> assertThat(e.bytesRead()).isEqualTo(10));
    assertThat(listedKeys(org(), "")).containsExactly("fw/a.bin");
  }

  @Test
  default void rangesReturnExactlyTheBytesAskedFor() {
    long p = part();
    long size = 3 * p + 5;
    putGenerated("fw/r.bin", 31, size);
    long[][] spans = {{0, 0}, {0, 99}, {p - 1, p}, {p - 10, 2 * p + 10}, {size - 1, size - 1}, {5, size + 1000}};
    for (long[] s : spans) {
      long last = Math.min(s[1], size - 1);
      try (BinaryContent c = backend().read(org(), ObjectKey.of("fw/r.bin"), ByteRange.of(s[0], s[1]))) {
        assertThat(c.range().offset()).isEqualTo(s[0]);
        assertThat(c.range().length()).isEqualTo(last - s[0] + 1);
        assertThat(c.binary().size()).isEqualTo(size);
        assertThat(GeneratedContent.digest(c.stream())).as("bytes %d-%d", s[0], s[1])
            .isEqualTo(ContractSubject.digestOfSlice(31, size, s[0], last - s[0] + 1));
      }
    }
    assertThat(readDigest(org(), "fw/r.bin", ByteRange.from(p + 1))).isEqualTo(ContractSubject.digestOfSlice(31, size, p + 1, size - p - 1));
    assertThat(readDigest(org(), "fw/r.bin", ByteRange.suffix(p + 2))).isEqualTo(ContractSubject.digestOfSlice(31, size, size - p - 2, p + 2));
    assertThat(readDigest(org(), "fw/r.bin", ByteRange.suffix(size + 50))).isEqualTo(GeneratedContent.sha256(31, size));
  }

  @Test
  default void aRangeStartingAtOrBeyondTheEndIsNotSatisfiable() {
    putGenerated("fw/r.bin", 32, 100);
    for (ByteRange r : List.of(ByteRange.from(100), ByteRange.of(100, 200), ByteRange.from(1L << 40))) {
      assertThatThrownBy(() -> backend().read(org(), ObjectKey.of("fw/r.bin"), r))
          .isInstanceOfSatisfying(RangeNotSatisfiableException.class, e -> assertThat(e.size()).isEqualTo(100));
    }
    putGenerated("fw/empty.bin", 32, 0);
    assertThatThrownBy(() -> backend().read(org(), ObjectKey.of("fw/empty.bin"), ByteRange.of(0, 0)))
        .isInstanceOf(RangeNotSatisfiableException.class);
  }

  @Test
  default void invalidRangesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> ByteRange.of(-1, 5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("range.first");
    assertThatThrownBy(() -> ByteRange.of(5, 4)).isInstanceOf(InvalidInputException.class).hasMessageContaining("range.last");
    assertThatThrownBy(() -> ByteRange.suffix(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("range.suffix");
  }

  @Test
  default void missingBinariesAreNotFound() {
    ObjectKey missing = ObjectKey.of("fw/missing.bin");
    assertThatThrownBy(() -> backend().stat(org(), missing)).isInstanceOfSatisfying(BinaryNotFoundException.class,
        e -> assertThat(e.key()).isEqualTo(missing));
    assertThatThrownBy(() -> backend().read(org(), missing)).isInstanceOf(BinaryNotFoundException.class);
    putGenerated("fw/missing.bin/child", 1, 10);
    assertThatThrownBy(() -> backend().stat(org(), missing)).isInstanceOf(BinaryNotFoundException.class);
  }

  @Test
  default void anOverwriteReplacesTheWholeBinary() {
    putGenerated("fw/o.bin", 41, 3 * part());
    StoredBinary second = putGenerated("fw/o.bin", 42, 10);
    assertThat(backend().stat(org(), ObjectKey.of("fw/o.bin"))).isEqualTo(second);
    assertThat(readDigest(org(), "fw/o.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(42, 10));
    assertThat(listedKeys(org(), "")).containsExactly("fw/o.bin");
  }

  @Test
  default void deleteIsIdempotentAndSaysWhatItDid() {
    putGenerated("fw/d.bin", 51, 10);
    putGenerated("fw/d.bin/under", 52, 10);
    assertThat(backend().delete(org(), ObjectKey.of("fw/d.bin"))).isEqualTo(DeleteResult.DELETED);
    assertThat(backend().delete(org(), ObjectKey.of("fw/d.bin"))).isEqualTo(DeleteResult.NOT_FOUND);
    assertThat(backend().delete(org(), ObjectKey.of("never/stored"))).isEqualTo(DeleteResult.NOT_FOUND);
    assertThatThrownBy(() -> backend().stat(org(), ObjectKey.of("fw/d.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThat(readDigest(org(), "fw/d.bin/under", ByteRange.all())).isEqualTo(GeneratedContent.sha256(52, 10));
    if (!oneOrganization()) {
      assertThat(backend().delete(other(), ObjectKey.of("fw/d.bin/under"))).isEqualTo(DeleteResult.NOT_FOUND);
    }
    assertThat(listedKeys(org(), "")).containsExactly("fw/d.bin/under");
  }

  @Test
  default void keysOfEveryShapeAndLengthAreStoredApartAndListedBack() {
    String longest = "k/".repeat(200) + "é".repeat((keyBytes() - 401) / 2); // 400 + 622 = 1022 bytes at most
    String maxAscii = "x".repeat(keyBytes());
    List<String> keys = List.of("a", "a/b", "a/b/c", "a/", "a//b", "A", "Ab", "aB", "a b", "a%2Fb", "a%2fb",
        "a.", "..a", ".a", "a..b", "con", "nul.txt", "~", "ü", "\uD83D\uDE00", "\uFFFD", longest, maxAscii,
        maxAscii.substring(1) + "y", "x".repeat(80), "x".repeat(81), "x".repeat(160), "x".repeat(160) + "/");
    long seed = 100;
    for (String k : keys) {
      putGenerated(k, seed++, 10 + seed);
    }
    seed = 100;
    for (String k : keys) {
      assertThat(readDigest(org(), k, ByteRange.all())).as("key %s", k).isEqualTo(GeneratedContent.sha256(seed, 10 + seed + 1));
      seed++;
    }
    List<String> expected = keys.stream().map(ObjectKey::of).sorted().map(ObjectKey::value).collect(Collectors.toList());
    assertThat(listedKeys(org(), "")).containsExactlyElementsOf(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/abs", "a/../b", "..", "../x", "a/./b", "a\u0000b", "a\nb", "a\u007fb", "a\u0085b"})
  default void badKeysAreRefusedNamingTheRuleAndChangeNothing(String bad) {
    putGenerated("keep", 1, 10);
    assertThatThrownBy(() -> ObjectKey.of(bad)).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.violations()).allSatisfy(v -> assertThat(v.field()).isEqualTo("key")));
    assertThat(listedKeys(org(), "")).containsExactly("keep");
  }

  @Test
  default void nullEmptyOversizedAndMalformedKeysAreRefused() {
    assertThatThrownBy(() -> ObjectKey.of(null)).isInstanceOf(InvalidInputException.class).hasMessageContaining("key is missing");
    assertThatThrownBy(() -> ObjectKey.of("")).isInstanceOf(InvalidInputException.class).hasMessageContaining("1 to 1024 bytes");
    assertThatThrownBy(() -> ObjectKey.of("é".repeat(513))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 1024 bytes").hasMessageContaining("1026");
    assertThatThrownBy(() -> ObjectKey.of("a\uD800b")).isInstanceOf(InvalidInputException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> backend().put(org(), null, new ByteArrayInputStream(new byte[1])))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> backend().put(org(), ObjectKey.of("k"), null)).isInstanceOf(InvalidInputException.class);
    assertThat(listedKeys(org(), "")).isEmpty();
  }

  @Test
  default void noOrganizationReachesAnothersBinaries() {
    OrganizationId other = other();
    putGenerated("shared/name.bin", 61, 100);
    if (oneOrganization()) {
      ObjectKey key = ObjectKey.of("shared/name.bin");
      List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
          () -> backend().stat(other, key), () -> backend().read(other, key), () -> backend().list(other, ListRequest.all()),
          () -> backend().put(other, key, new GeneratedContent(62, 50)), () -> backend().delete(other, key),
          () -> backend().signDownloadUrl(other, key, Duration.ofMinutes(1)));
      for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : calls) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("organization"));
      }
      assertThat(readDigest(org(), "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(61, 100));
      return;
    }
    assertThatThrownBy(() -> backend().stat(other, ObjectKey.of("shared/name.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThatThrownBy(() -> backend().read(other, ObjectKey.of("shared/name.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThat(listedKeys(other, "")).isEmpty();
    backend().put(other, ObjectKey.of("shared/name.bin"), new GeneratedContent(62, 50));
    assertThat(readDigest(org(), "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(61, 100));
    assertThat(readDigest(other, "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(62, 50));
    assertThat(backend().delete(other, ObjectKey.of("shared/name.bin"))).isEqualTo(DeleteResult.DELETED);
    assertThat(readDigest(org(), "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(61, 100));
  }

  @Test
  default void concurrentWritersOfOneKeyEndWithExactlyOneCompleteVersion() throws Exception {
    int writers = 8;
    long size = 2 * part() + 123;
    Set<Sha256Digest> written = new HashSet<>();
    for (int i = 0; i < writers; i++) {
      written.add(GeneratedContent.sha256(1000 + i, size + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<StoredBinary>> results = new ArrayList<>();
      for (int i = 0; i < writers; i++) {
        int n = i;
        results.add(pool.submit(() -> {
          start.await();
          return backend().put(org(), ObjectKey.of("fw/contended.bin"), new GeneratedContent(1000 + n, size + n));
        }));
      }
      start.countDown();
      for (Future<StoredBinary> f : results) {
        assertThat(written).contains(f.get(2, TimeUnit.MINUTES).sha256());
      }
    } finally {
      pool.shutdownNow();
    }
    StoredBinary finalVersion = backend().stat(org(), ObjectKey.of("fw/contended.bin"));
    assertThat(written).contains(finalVersion.sha256());
    assertThat(readDigest(org(), "fw/contended.bin", ByteRange.all())).isEqualTo(finalVersion.sha256());
    assertThat(listedKeys(org(), "")).containsExactly("fw/contended.bin");
  }

  @Test
  default void readersDuringOverwritesAlwaysSeeOneWholeVersion() throws Exception {
    long size = 2 * part() + 77;
    putGenerated("fw/hot.bin", 2000, size);
    Set<Sha256Digest> versions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    versions.add(GeneratedContent.sha256(2000, size));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      Future<Integer> writer = pool.submit(() -> {
        try {
          for (int i = 1; i <= 20; i++) {
            versions.add(GeneratedContent.sha256(2000 + i, size + i));
            putGenerated("fw/hot.bin", 2000 + i, size + i);
          }
          return 20;
        } finally {
          writing.set(false);
        }
      });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        readers.add(pool.submit(() -> {
          int reads = 0;
          do {
            try (BinaryContent c = backend().read(org(), ObjectKey.of("fw/hot.bin"))) {
              Sha256Digest got = GeneratedContent.digest(c.stream());
              assertThat(got).as("bytes match the metadata of the version opened").isEqualTo(c.binary().sha256());
              assertThat(versions).contains(got);
              assertThat(c.binary().size()).isEqualTo(c.range().length());
            }
            reads++;
          } while (writing.get() || reads < 3);
          return reads;
        }));
      }
      assertThat(writer.get(2, TimeUnit.MINUTES)).isEqualTo(20);
      for (Future<Integer> r : readers) {
        assertThat(r.get(2, TimeUnit.MINUTES)).isGreaterThanOrEqualTo(3);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(backend().stat(org(), ObjectKey.of("fw/hot.bin")).sha256()).isEqualTo(GeneratedContent.sha256(2020, size + 20));
  }

  @Test
  default void aClosedBackendRefusesCallsAsNotRetryable() {
    backend().close();
    backend().close();
    assertThatThrownBy(() -> putGenerated("a", 1, 1)).isInstanceOfSatisfying(BackendUnavailableException.class,
        e -> assertThat(e.retryable()).isFalse());
    assertThatThrownBy(() -> backend().stat(org(), ObjectKey.of("a"))).isInstanceOf(BackendUnavailableException.class);
  }
}
