package org.binarybackends.testkit;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;

/**
 * What the capability contracts ({@link StorageContract}, {@link ListingContract}, {@link
 * SignedDownloadContract}, {@link VerifyContract}, {@link DirectUploadContract}) test: the backend
 * under test and what it says of itself. {@link BinaryBackendContract} implements it from its hooks;
 * a backend's test extends that class and implements the contracts it offers beyond the four it
 * holds (direct uploads). Test interfaces with default methods, as JUnit 5 runs them, so that one
 * test class composes the capabilities its backend has.
 */
public interface ContractSubject {
  /** The backend under test, fresh for each test. */
  BinaryBackend backend();

  /** The test's clock, which the backend reads. */
  ManualClock clock();

  /** The organization the tests store under. */
  OrganizationId org();

  /** A second organization, to check isolation. */
  OrganizationId other();

  /** The backend's part or buffer size: sizes around it and its multiples are tested. */
  long part();

  /** Fetches a signed URL as a device would, streaming and hashing the body. */
  Download download(SignedUrl url) throws Exception;

  /** How much earlier than asked a signed URL of {@code ttl} may expire. */
  Duration expiryRounding(Duration ttl);

  /** What fetching a signed URL of a missing binary answers. */
  int missingStatus();

  /** The longest key the backend stores, in UTF-8 bytes. */
  int keyBytes();

  /** Whether the backend serves exactly one organization ({@link #org()}) and refuses others. */
  boolean oneOrganization();

  /** Stores generated content {@code seed} of {@code length} bytes under {@code key}, its length declared. */
  default StoredBinary putGenerated(String key, long seed, long length) {
    return backend().put(org(), ObjectKey.of(key), new GeneratedContent(seed, length),
        PutOptions.builder().contentLength(length).build());
  }

  /** The SHA-256 of what reading {@code key} over {@code range} gives. */
  default Sha256Digest readDigest(OrganizationId organization, String key, ByteRange range) {
    try (BinaryContent content = backend().read(organization, ObjectKey.of(key), range)) {
      return GeneratedContent.digest(content.stream());
    }
  }

  /** The SHA-256 of bytes [offset, offset+length) of generated content. */
  static Sha256Digest digestOfSlice(long seed, long total, long offset, long length) {
    try (GeneratedContent in = new GeneratedContent(seed, total)) {
      in.skipNBytes(offset);
      return GeneratedContent.digest(new ContractStreams.BoundedStream(in, length));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The keys listed under {@code prefix}, in order. */
  default List<String> listedKeys(OrganizationId organization, String prefix) {
    return backend().list(organization, prefix).map(b -> b.key().value()).collect(Collectors.toList());
  }
}
