package org.binarybackends.testkit;

import java.time.Duration;
import java.time.Instant;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The contract every {@link BinaryBackend} must pass, by capability: {@link StorageContract}, {@link
 * ListingContract}, {@link SignedDownloadContract} and {@link VerifyContract}, each a test interface
 * of its own; a backend that offers direct uploads implements {@link DirectUploadContract} too. A
 * backend's test extends it in a few lines: create the backend from the given context, say its part
 * or buffer size, and fetch a signed URL.
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
public abstract class BinaryBackendContract
    implements StorageContract, ListingContract, SignedDownloadContract, VerifyContract {
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

  // ---- what the contracts see: the hooks above ----

  @Override
  public final BinaryBackend backend() {
    return backend;
  }

  @Override
  public final ManualClock clock() {
    return clock;
  }

  @Override
  public final OrganizationId org() {
    return org;
  }

  @Override
  public final OrganizationId other() {
    return otherOrganization();
  }

  @Override
  public final long part() {
    return partSize();
  }

  @Override
  public final Download download(SignedUrl url) throws Exception {
    return fetch(url);
  }

  @Override
  public final Duration expiryRounding(Duration ttl) {
    return urlExpiryRounding(ttl);
  }

  @Override
  public final int missingStatus() {
    return missingBinaryStatus();
  }

  @Override
  public final int keyBytes() {
    return maxKeyBytes();
  }

  @Override
  public final boolean oneOrganization() {
    return servesOneOrganization();
  }
}
