package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
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
import org.binarybackends.ListPage;
import org.binarybackends.ListedBinary;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.RangeNotSatisfiableException;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every {@link BinaryBackend} must pass. A backend's test extends it in a few lines:
 * create the backend from the given context, say its part or buffer size, and fetch a signed URL.
 *
 * <pre>{@code
 * class MyBackendContractTest extends BinaryBackendContract {
 *   protected BinaryBackend createBackend(BackendContext context) { return new MyBackend(..., context); }
 *   protected long partSize() { return 64 * 1024; }
 *   protected Download fetch(SignedUrl url) throws Exception { return Download.fetch(url); }
 * }
 * }</pre>
 *
 * <p>Sizes are derived from {@link #partSize()} so that every boundary is crossed, and content is
 * generated while streamed, never held. Each test gets a fresh backend on a {@link ManualClock}
 * starting at {@link #start()}.
 *
 * <p>A backend bound to one organization (an organization's own bucket) says so with
 * {@link #servesOneOrganization()}: the isolation tests then check that it refuses every other
 * organization, instead of keeping their binaries apart. A backend with other rules of its own
 * says them the same way: {@link #maxKeyBytes()} (a key prefix takes part of S3's 1,024 bytes),
 * {@link #urlExpiryRounding(Duration)} (URLs shared by a fleet expire up to a step early),
 * {@link #missingBinaryStatus()} (403 behind CloudFront's Origin Access Control).
 */
public abstract class BinaryBackendContract {
  /** Where the manual clock starts. */
  protected static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

  /** For a backend's test class, which extends it. */
  protected BinaryBackendContract() {}

  protected ManualClock clock;
  protected BinaryBackend backend;
  protected OrganizationId org;

  /** Creates the backend under test; it must take its clock from {@code context}. */
  protected abstract BinaryBackend createBackend(BackendContext context) throws Exception;

  /** The backend's part or buffer size: sizes around it and its multiples are tested. */
  protected abstract long partSize();

  /** Fetches a signed URL as a device would, streaming and hashing the body. */
  protected abstract Download fetch(SignedUrl url) throws Exception;

  /** The organization the tests store under. */
  protected OrganizationId organization() {
    return OrganizationId.of("org-a");
  }

  /** A second organization, to check isolation. */
  protected OrganizationId otherOrganization() {
    return OrganizationId.of("org-b");
  }

  /**
   * Where the test's clock starts: a fixed instant by default. A backend whose server checks time
   * by its own clock (an S3 server judging a presigned URL's date) starts it at the present instead.
   */
  protected Instant start() {
    return START;
  }

  /**
   * How much earlier than asked a signed URL of {@code ttl} may expire: one second by default; a
   * backend that rounds expiries so that many devices share one URL (CloudFront) says its rounding.
   */
  protected Duration urlExpiryRounding(Duration ttl) {
    return Duration.ofSeconds(1);
  }

  /**
   * What fetching a signed URL of a missing binary answers: 404 by default; 403 from a CDN whose origin
   * may not list the bucket (behind CloudFront's Origin Access Control a missing object is 403).
   */
  protected int missingBinaryStatus() {
    return 404;
  }

  /**
   * The longest key the backend stores, in UTF-8 bytes: {@link ObjectKey#MAX_UTF8_BYTES} unless a
   * key prefix of the backend's takes some of S3's 1,024 bytes.
   */
  protected int maxKeyBytes() {
    return ObjectKey.MAX_UTF8_BYTES;
  }

  /** Whether the backend serves exactly one organization ({@link #organization()}) and refuses others. */
  protected boolean servesOneOrganization() {
    return false;
  }

  @BeforeEach
  void createBackendOnManualClock() throws Exception {
    clock = new ManualClock(start());
    backend = createBackend(BackendContext.builder().clock(clock).build());
    org = organization();
  }

  @AfterEach
  void closeBackend() {
    if (backend != null) {
      backend.close();
    }
  }

  // ---- helpers ----

  protected StoredBinary putGenerated(String key, long seed, long length) {
    return backend.put(org, ObjectKey.of(key), new GeneratedContent(seed, length),
        PutOptions.builder().contentLength(length).build());
  }

  protected Sha256Digest readDigest(OrganizationId organization, String key, ByteRange range) {
    try (BinaryContent content = backend.read(organization, ObjectKey.of(key), range)) {
      return GeneratedContent.digest(content.stream());
    }
  }

  /** The SHA-256 of bytes [offset, offset+length) of generated content. */
  protected static Sha256Digest digestOfSlice(long seed, long total, long offset, long length) {
    try (GeneratedContent in = new GeneratedContent(seed, total)) {
      in.skipNBytes(offset);
      return GeneratedContent.digest(new BoundedStream(in, length));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> listedKeys(OrganizationId organization, String prefix) {
    return backend.list(organization, prefix).map(b -> b.key().value()).collect(Collectors.toList());
  }

  // ---- round trips ----

  @Test
  void emptyBinaryRoundTrips() {
    StoredBinary stored = putGenerated("empty.bin", 1, 0);
    assertThat(stored.size()).isZero();
    assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(1, 0));
    assertThat(readDigest(org, "empty.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(1, 0));
    assertThat(backend.stat(org, ObjectKey.of("empty.bin")).size()).isZero();
  }

  /** Sizes around every boundary of the backend's part or buffer size. */
  protected List<Long> boundarySizes() {
    long p = partSize();
    return List.of(1L, 1000L, p - 1, p, p + 1, 2 * p + 17, 3 * p);
  }

  @Test
  void binariesOfEveryBoundarySizeRoundTripWithKnownLength() {
    for (long size : boundarySizes()) {
      String key = "fw/known-" + size + ".bin";
      StoredBinary stored = putGenerated(key, size, size);
      Sha256Digest expected = GeneratedContent.sha256(size, size);
      assertThat(stored.size()).as("size of %s", key).isEqualTo(size);
      assertThat(stored.sha256()).as("digest of %s", key).isEqualTo(expected);
      assertThat(stored.location().instance()).isEqualTo(backend.instanceId());
      assertThat(stored.location().organization()).isEqualTo(org);
      assertThat(readDigest(org, key, ByteRange.all())).as("read back %s", key).isEqualTo(expected);
      StoredBinary stat = backend.stat(org, ObjectKey.of(key));
      assertThat(stat.size()).isEqualTo(size);
      assertThat(stat.sha256()).isEqualTo(expected);
    }
  }

  @Test
  void binariesOfUnknownLengthArrivingInSmallPiecesRoundTrip() {
    for (long size : boundarySizes()) {
      String key = "fw/unknown-" + size + ".bin";
      InputStream trickle = new TrickleStream(new GeneratedContent(size, size), 1021);
      StoredBinary stored = backend.put(org, ObjectKey.of(key), trickle);
      assertThat(stored.size()).isEqualTo(size);
      assertThat(stored.sha256()).isEqualTo(GeneratedContent.sha256(size, size));
      assertThat(readDigest(org, key, ByteRange.all())).isEqualTo(GeneratedContent.sha256(size, size));
    }
  }

  @Test
  void aDeclaredLengthThatDiffersStoresNothing() {
    long size = partSize() + 3;
    putGenerated("fw/a.bin", 7, 100);
    for (long declared : new long[] {size - 1, size + 1}) {
      assertThatThrownBy(() -> backend.put(org, ObjectKey.of("fw/a.bin"), new GeneratedContent(1, size),
          PutOptions.builder().contentLength(declared).build()))
          .isInstanceOf(IntegrityException.class)
          .hasMessageContaining("declared " + declared);
      assertThatThrownBy(() -> backend.put(org, ObjectKey.of("fw/new.bin"), new GeneratedContent(1, size),
          PutOptions.builder().contentLength(declared).build()))
          .isInstanceOf(IntegrityException.class);
    }
    assertThat(readDigest(org, "fw/a.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(7, 100));
    assertThat(listedKeys(org, "")).containsExactly("fw/a.bin");
  }

  // ---- digests ----

  @Test
  void theRightExpectedDigestIsAccepted() {
    long size = 2 * partSize() + 5;
    Sha256Digest digest = GeneratedContent.sha256(3, size);
    StoredBinary stored = backend.put(org, ObjectKey.of("fw/signed.bin"), new GeneratedContent(3, size),
        PutOptions.builder().expectedSha256(digest.hex().toUpperCase()).contentLength(size).build());
    assertThat(stored.sha256()).isEqualTo(digest);
  }

  @Test
  void aWrongExpectedDigestStoresNothingAndKeepsThePreviousVersion() {
    putGenerated("fw/a.bin", 11, 1000);
    long size = 2 * partSize() + 5;
    Sha256Digest wrong = GeneratedContent.sha256(4, size);
    assertThatThrownBy(() -> backend.put(org, ObjectKey.of("fw/a.bin"), new GeneratedContent(5, size),
        PutOptions.builder().expectedSha256(wrong).build()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(wrong.hex())
        .hasMessageContaining(GeneratedContent.sha256(5, size).hex());
    assertThatThrownBy(() -> backend.put(org, ObjectKey.of("fw/b.bin"), new GeneratedContent(5, size),
        PutOptions.builder().expectedSha256(wrong).build()))
        .isInstanceOf(IntegrityException.class);
    assertThat(backend.stat(org, ObjectKey.of("fw/a.bin")).sha256()).isEqualTo(GeneratedContent.sha256(11, 1000));
    assertThat(readDigest(org, "fw/a.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(11, 1000));
    assertThat(listedKeys(org, "")).containsExactly("fw/a.bin");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
      "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
  void malformedDigestsAreRefusedNamingTheField(String hex) {
    assertThatThrownBy(() -> PutOptions.builder().expectedSha256(hex))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("sha256")
        .hasMessageContaining("hex");
  }

  @Test
  void aStreamFailingMidwayStoresNothingAndKeepsThePreviousVersion() {
    putGenerated("fw/a.bin", 21, 5000);
    InputStream failing = BoundedStream.failingAfter(new GeneratedContent(22, 10 * partSize()), partSize() + 10);
    // the caller's stream failed, not the storage: said by type, with how far the stream got
    assertThatThrownBy(() -> backend.put(org, ObjectKey.of("fw/a.bin"), failing))
        .isInstanceOfSatisfying(ContentReadException.class, e -> {
          assertThat(e.bytesRead()).isEqualTo(partSize() + 10);
          assertThat(e.getCause()).isInstanceOf(IOException.class);
          assertThat(e.getMessage()).contains("after " + (partSize() + 10) + " bytes");
        });
    assertThat(readDigest(org, "fw/a.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(21, 5000));
    assertThatThrownBy(() -> backend.put(org, ObjectKey.of("fw/b.bin"),
        BoundedStream.failingAfter(new GeneratedContent(22, 10 * partSize()), 10)))
        .isInstanceOfSatisfying(ContentReadException.class, e -> assertThat(e.bytesRead()).isEqualTo(10));
    assertThat(listedKeys(org, "")).containsExactly("fw/a.bin");
  }

  // ---- ranges ----

  @Test
  void rangesReturnExactlyTheBytesAskedFor() {
    long p = partSize();
    long size = 3 * p + 5;
    putGenerated("fw/r.bin", 31, size);
    long[][] spans = {{0, 0}, {0, 99}, {p - 1, p}, {p - 10, 2 * p + 10}, {size - 1, size - 1}, {5, size + 1000}};
    for (long[] s : spans) {
      long last = Math.min(s[1], size - 1);
      try (BinaryContent c = backend.read(org, ObjectKey.of("fw/r.bin"), ByteRange.of(s[0], s[1]))) {
        assertThat(c.range().offset()).isEqualTo(s[0]);
        assertThat(c.range().length()).isEqualTo(last - s[0] + 1);
        assertThat(c.binary().size()).isEqualTo(size);
        assertThat(GeneratedContent.digest(c.stream())).as("bytes %d-%d", s[0], s[1])
            .isEqualTo(digestOfSlice(31, size, s[0], last - s[0] + 1));
      }
    }
    assertThat(readDigest(org, "fw/r.bin", ByteRange.from(p + 1))).isEqualTo(digestOfSlice(31, size, p + 1, size - p - 1));
    assertThat(readDigest(org, "fw/r.bin", ByteRange.suffix(p + 2))).isEqualTo(digestOfSlice(31, size, size - p - 2, p + 2));
    assertThat(readDigest(org, "fw/r.bin", ByteRange.suffix(size + 50))).isEqualTo(GeneratedContent.sha256(31, size));
  }

  @Test
  void aRangeStartingAtOrBeyondTheEndIsNotSatisfiable() {
    putGenerated("fw/r.bin", 32, 100);
    for (ByteRange r : List.of(ByteRange.from(100), ByteRange.of(100, 200), ByteRange.from(1L << 40))) {
      assertThatThrownBy(() -> backend.read(org, ObjectKey.of("fw/r.bin"), r))
          .isInstanceOfSatisfying(RangeNotSatisfiableException.class, e -> assertThat(e.size()).isEqualTo(100));
    }
    putGenerated("fw/empty.bin", 32, 0);
    assertThatThrownBy(() -> backend.read(org, ObjectKey.of("fw/empty.bin"), ByteRange.of(0, 0)))
        .isInstanceOf(RangeNotSatisfiableException.class);
  }

  @Test
  void invalidRangesAreRefusedNamingTheField() {
    assertThatThrownBy(() -> ByteRange.of(-1, 5)).isInstanceOf(InvalidInputException.class).hasMessageContaining("range.first");
    assertThatThrownBy(() -> ByteRange.of(5, 4)).isInstanceOf(InvalidInputException.class).hasMessageContaining("range.last");
    assertThatThrownBy(() -> ByteRange.suffix(0)).isInstanceOf(InvalidInputException.class).hasMessageContaining("range.suffix");
  }

  // ---- not found, overwrite, delete ----

  @Test
  void missingBinariesAreNotFound() {
    ObjectKey missing = ObjectKey.of("fw/missing.bin");
    assertThatThrownBy(() -> backend.stat(org, missing)).isInstanceOfSatisfying(BinaryNotFoundException.class,
        e -> assertThat(e.key()).isEqualTo(missing));
    assertThatThrownBy(() -> backend.read(org, missing)).isInstanceOf(BinaryNotFoundException.class);
    putGenerated("fw/missing.bin/child", 1, 10);
    assertThatThrownBy(() -> backend.stat(org, missing)).isInstanceOf(BinaryNotFoundException.class);
  }

  @Test
  void anOverwriteReplacesTheWholeBinary() {
    putGenerated("fw/o.bin", 41, 3 * partSize());
    StoredBinary second = putGenerated("fw/o.bin", 42, 10);
    assertThat(backend.stat(org, ObjectKey.of("fw/o.bin"))).isEqualTo(second);
    assertThat(readDigest(org, "fw/o.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(42, 10));
    assertThat(listedKeys(org, "")).containsExactly("fw/o.bin");
  }

  @Test
  void deleteIsIdempotentAndSaysWhatItDid() {
    putGenerated("fw/d.bin", 51, 10);
    putGenerated("fw/d.bin/under", 52, 10);
    assertThat(backend.delete(org, ObjectKey.of("fw/d.bin"))).isEqualTo(DeleteResult.DELETED);
    assertThat(backend.delete(org, ObjectKey.of("fw/d.bin"))).isEqualTo(DeleteResult.NOT_FOUND);
    assertThat(backend.delete(org, ObjectKey.of("never/stored"))).isEqualTo(DeleteResult.NOT_FOUND);
    assertThatThrownBy(() -> backend.stat(org, ObjectKey.of("fw/d.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThat(readDigest(org, "fw/d.bin/under", ByteRange.all())).isEqualTo(GeneratedContent.sha256(52, 10));
    if (!servesOneOrganization()) {
      assertThat(backend.delete(otherOrganization(), ObjectKey.of("fw/d.bin/under"))).isEqualTo(DeleteResult.NOT_FOUND);
    }
    assertThat(listedKeys(org, "")).containsExactly("fw/d.bin/under");
  }

  // ---- keys: the S3 shapes a filesystem does not allow ----

  @Test
  void keysOfEveryShapeAndLengthAreStoredApartAndListedBack() {
    String longest = "k/".repeat(200) + "é".repeat((maxKeyBytes() - 401) / 2); // 400 + 622 = 1022 bytes at most
    String maxAscii = "x".repeat(maxKeyBytes());
    List<String> keys = List.of("a", "a/b", "a/b/c", "a/", "a//b", "A", "Ab", "aB", "a b", "a%2Fb", "a%2fb",
        "a.", "..a", ".a", "a..b", "con", "nul.txt", "~", "ü", "\uD83D\uDE00", "\uFFFD", longest, maxAscii,
        maxAscii.substring(1) + "y", "x".repeat(80), "x".repeat(81), "x".repeat(160), "x".repeat(160) + "/");
    long seed = 100;
    for (String k : keys) {
      putGenerated(k, seed++, 10 + seed);
    }
    seed = 100;
    for (String k : keys) {
      assertThat(readDigest(org, k, ByteRange.all())).as("key %s", k).isEqualTo(GeneratedContent.sha256(seed, 10 + seed + 1));
      seed++;
    }
    List<String> expected = keys.stream().map(ObjectKey::of).sorted().map(ObjectKey::value).collect(Collectors.toList());
    assertThat(listedKeys(org, "")).containsExactlyElementsOf(expected);
  }

  @Test
  void listingIsInUtf8ByteOrderNotUtf16Order() {
    // UTF-16 puts U+FFFD after U+1F600 (surrogates D83D < FFFD); UTF-8 puts it before (EF < F0)
    List<String> keys = List.of("\uD83D\uDE00", "\uFFFD", "a", "a-", "a/", "a0", "é", "Z", "_");
    keys.forEach(k -> putGenerated(k, 1, 1));
    assertThat(listedKeys(org, "")).containsExactly("Z", "_", "a", "a-", "a/", "a0", "é", "\uFFFD", "\uD83D\uDE00");
  }

  @Test
  void listingPaginatesOverMoreThanAThousandKeysInByteOrder() {
    Set<String> keys = new LinkedHashSet<>();
    for (int i = 0; i < 1050; i++) {
      keys.add(String.format("fw/%s/%04d%s", i % 3 == 0 ? "x" : "y", (i * 7919) % 1050, i % 5 == 0 ? "é" : ""));
    }
    keys.add("fx-after");
    keys.add("fw-before");
    keys.forEach(k -> backend.put(org, ObjectKey.of(k), new ByteArrayInputStream(k.getBytes(StandardCharsets.UTF_8))));
    List<String> sorted = keys.stream().map(ObjectKey::of).sorted().map(ObjectKey::value).collect(Collectors.toList());

    ListPage first = backend.list(org, ListRequest.all());
    assertThat(first.binaries()).hasSize(ListRequest.MAX_PAGE_SIZE);
    assertThat(first.next()).isPresent();
    ListPage second = backend.list(org, first.next().get());
    assertThat(second.next()).isEmpty();
    List<String> paged = new ArrayList<>();
    first.binaries().forEach(b -> paged.add(b.key().value()));
    second.binaries().forEach(b -> paged.add(b.key().value()));
    assertThat(paged).containsExactlyElementsOf(sorted);

    assertThat(listedKeys(org, "")).containsExactlyElementsOf(sorted);
    List<String> underX = sorted.stream().filter(k -> k.startsWith("fw/x/")).collect(Collectors.toList());
    assertThat(listedKeys(org, "fw/x/")).containsExactlyElementsOf(underX);
    assertThat(listedKeys(org, "fw/x/00")).containsExactlyElementsOf(
        underX.stream().filter(k -> k.startsWith("fw/x/00")).collect(Collectors.toList()));
    assertThat(listedKeys(org, "nothing-here")).isEmpty();

    List<String> smallPages = new ArrayList<>();
    ListRequest request = ListRequest.builder().prefix("fw/y/").pageSize(7).build();
    for (int pages = 0; ; pages++) {
      ListPage page = backend.list(org, request);
      assertThat(page.binaries().size()).isLessThanOrEqualTo(7);
      page.binaries().forEach(b -> smallPages.add(b.key().value()));
      if (page.next().isEmpty()) {
        break;
      }
      request = page.next().get();
      assertThat(pages).isLessThan(1050);
    }
    assertThat(smallPages).containsExactlyElementsOf(sorted.stream().filter(k -> k.startsWith("fw/y/")).collect(Collectors.toList()));
    ListedBinary one = backend.list(org, "fx-after").findFirst().orElseThrow();
    assertThat(one.size()).isEqualTo("fx-after".length());
    assertThat(one.location()).isEqualTo(backend.stat(org, one.key()).location());
    assertThat(one.storedAt()).isEqualTo(backend.stat(org, one.key()).storedAt());
  }

  @Test
  void listingStartsAfterTheGivenKey() {
    List.of("a", "b", "b/c", "c", "d").forEach(k -> putGenerated(k, 1, 1));
    ListPage page = backend.list(org, ListRequest.builder().startAfter(ObjectKey.of("b")).build());
    assertThat(page.binaries()).extracting(b -> b.key().value()).containsExactly("b/c", "c", "d");
    ListPage none = backend.list(org, ListRequest.builder().startAfter(ObjectKey.of("d")).build());
    assertThat(none.binaries()).isEmpty();
    assertThat(none.next()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/abs", "a/../b", "..", "../x", "a/./b", "a\u0000b", "a\nb", "a\u007fb", "a\u0085b"})
  void badKeysAreRefusedNamingTheRuleAndChangeNothing(String bad) {
    putGenerated("keep", 1, 10);
    assertThatThrownBy(() -> ObjectKey.of(bad)).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.violations()).allSatisfy(v -> assertThat(v.field()).isEqualTo("key")));
    assertThat(listedKeys(org, "")).containsExactly("keep");
  }

  @Test
  void nullEmptyOversizedAndMalformedKeysAreRefused() {
    assertThatThrownBy(() -> ObjectKey.of(null)).isInstanceOf(InvalidInputException.class).hasMessageContaining("key is missing");
    assertThatThrownBy(() -> ObjectKey.of("")).isInstanceOf(InvalidInputException.class).hasMessageContaining("1 to 1024 bytes");
    assertThatThrownBy(() -> ObjectKey.of("é".repeat(513))).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 1024 bytes").hasMessageContaining("1026");
    assertThatThrownBy(() -> ObjectKey.of("a\uD800b")).isInstanceOf(InvalidInputException.class).hasMessageContaining("surrogate");
    assertThatThrownBy(() -> backend.put(org, null, new ByteArrayInputStream(new byte[1])))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> backend.put(org, ObjectKey.of("k"), null)).isInstanceOf(InvalidInputException.class);
    assertThat(listedKeys(org, "")).isEmpty();
  }

  // ---- isolation ----

  @Test
  void noOrganizationReachesAnothersBinaries() {
    OrganizationId other = otherOrganization();
    putGenerated("shared/name.bin", 61, 100);
    if (servesOneOrganization()) {
      ObjectKey key = ObjectKey.of("shared/name.bin");
      List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> calls = List.of(
          () -> backend.stat(other, key), () -> backend.read(other, key), () -> backend.list(other, ListRequest.all()),
          () -> backend.put(other, key, new GeneratedContent(62, 50)), () -> backend.delete(other, key),
          () -> backend.signDownloadUrl(other, key, Duration.ofMinutes(1)));
      for (org.assertj.core.api.ThrowableAssert.ThrowingCallable call : calls) {
        assertThatThrownBy(call).isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("organization"));
      }
      assertThat(readDigest(org, "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(61, 100));
      return;
    }
    assertThatThrownBy(() -> backend.stat(other, ObjectKey.of("shared/name.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThatThrownBy(() -> backend.read(other, ObjectKey.of("shared/name.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThat(listedKeys(other, "")).isEmpty();
    backend.put(other, ObjectKey.of("shared/name.bin"), new GeneratedContent(62, 50));
    assertThat(readDigest(org, "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(61, 100));
    assertThat(readDigest(other, "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(62, 50));
    assertThat(backend.delete(other, ObjectKey.of("shared/name.bin"))).isEqualTo(DeleteResult.DELETED);
    assertThat(readDigest(org, "shared/name.bin", ByteRange.all())).isEqualTo(GeneratedContent.sha256(61, 100));
  }

  // ---- concurrency ----

  @Test
  void concurrentWritersOfOneKeyEndWithExactlyOneCompleteVersion() throws Exception {
    int writers = 8;
    long size = 2 * partSize() + 123;
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
          return backend.put(org, ObjectKey.of("fw/contended.bin"), new GeneratedContent(1000 + n, size + n));
        }));
      }
      start.countDown();
      for (Future<StoredBinary> f : results) {
        assertThat(written).contains(f.get(2, TimeUnit.MINUTES).sha256());
      }
    } finally {
      pool.shutdownNow();
    }
    StoredBinary finalVersion = backend.stat(org, ObjectKey.of("fw/contended.bin"));
    assertThat(written).contains(finalVersion.sha256());
    assertThat(readDigest(org, "fw/contended.bin", ByteRange.all())).isEqualTo(finalVersion.sha256());
    assertThat(listedKeys(org, "")).containsExactly("fw/contended.bin");
  }

  @Test
  void readersDuringOverwritesAlwaysSeeOneWholeVersion() throws Exception {
    long size = 2 * partSize() + 77;
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
            try (BinaryContent c = backend.read(org, ObjectKey.of("fw/hot.bin"))) {
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
    assertThat(backend.stat(org, ObjectKey.of("fw/hot.bin")).sha256()).isEqualTo(GeneratedContent.sha256(2020, size + 20));
  }

  // ---- signed URLs ----

  @Test
  void aSignedUrlDownloadsTheBinaryUntilItExpiresOnTheBackendsClock() throws Exception {
    long size = 2 * partSize() + 1;
    putGenerated("fw/dl.bin", 71, size);
    Instant signedAt = clock.instant();
    SignedUrl url = backend.signDownloadUrl(org, ObjectKey.of("fw/dl.bin"), Duration.ofMinutes(10));
    assertThat(url.expiresAt()).isAfter(signedAt.plus(Duration.ofMinutes(10)).minus(urlExpiryRounding(
        Duration.ofMinutes(10)))).isBeforeOrEqualTo(signedAt.plus(Duration.ofMinutes(10)));
    assertThat(url.toString()).doesNotContain(url.uri().getRawQuery() == null ? "\u0000" : url.uri().getRawQuery());

    Download ok = fetch(url);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.length()).isEqualTo(size);
    assertThat(ok.sha256()).isEqualTo(GeneratedContent.sha256(71, size));

    clock.set(url.expiresAt().minusSeconds(1));
    assertThat(fetch(url).status()).isEqualTo(200);
    clock.set(url.expiresAt());
    assertThat(fetch(url).status()).isEqualTo(403);
  }

  @Test
  void aSignedUrlOfAMissingBinaryAnswers404() throws Exception {
    SignedUrl url = backend.signDownloadUrl(org, ObjectKey.of("fw/none.bin"), Duration.ofMinutes(1));
    assertThat(fetch(url).status()).isEqualTo(missingBinaryStatus());
  }

  @Test
  void zeroNegativeAndMissingTtlsAreRefused() {
    for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-5), null, Duration.ofDays(100_000)}) {
      assertThatThrownBy(() -> backend.signDownloadUrl(org, ObjectKey.of("fw/a.bin"), ttl))
          .isInstanceOfSatisfying(InvalidInputException.class,
              e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("ttl"));
    }
  }

  // ---- verify and lifecycle ----

  @Test
  void aHealthyBackendVerifiesWithEveryCheckNamed() {
    VerificationReport report = backend.verify();
    assertThat(report.failures()).isEmpty();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.instance()).isEqualTo(backend.instanceId());
    assertThat(report.checks()).allSatisfy(c -> {
      assertThat(c.name()).isNotBlank();
      assertThat(c.detail()).isNotBlank();
    });
    assertThat(listedKeys(org, "")).isEmpty();
  }

  @Test
  void aClosedBackendRefusesCallsAsNotRetryable() {
    backend.close();
    backend.close();
    assertThatThrownBy(() -> putGenerated("a", 1, 1)).isInstanceOfSatisfying(BackendUnavailableException.class,
        e -> assertThat(e.retryable()).isFalse());
    assertThatThrownBy(() -> backend.stat(org, ObjectKey.of("a"))).isInstanceOf(BackendUnavailableException.class);
  }

  // ---- streams used above ----

  /** Yields at most {@code piece} bytes per read, as a slow network would. */
  static final class TrickleStream extends FilterInputStream {
    private final int piece;

    TrickleStream(InputStream in, int piece) {
      super(in);
      this.piece = piece;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, piece));
    }
  }

  /**
   * Yields at most {@code length} bytes of another stream, then ends, or fails as a dropped upload
   * connection would.
   */
  static final class BoundedStream extends FilterInputStream {
    private final boolean failAtEnd;
    private long left;

    BoundedStream(InputStream in, long length) {
      this(in, length, false);
    }

    private BoundedStream(InputStream in, long length, boolean failAtEnd) {
      super(in);
      this.left = length;
      this.failAtEnd = failAtEnd;
    }

    /** A stream that throws an {@link IOException} after {@code failAfter} bytes. */
    static BoundedStream failingAfter(InputStream in, long failAfter) {
      return new BoundedStream(in, failAfter, true);
    }

    @Override
    public int read() throws IOException {
      // through the bounded read: FilterInputStream's own read() would pass the bound by
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        if (failAtEnd) {
          throw new IOException("connection reset by peer (simulated)");
        }
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      left -= Math.max(n, 0);
      return n;
    }
  }
}
