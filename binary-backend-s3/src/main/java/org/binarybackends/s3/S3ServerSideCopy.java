package org.binarybackends.s3;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.IntegrityException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.ServerSideCopy;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.s3.S3Failures.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResult;
import software.amazon.awssdk.services.s3.model.CopyPartResult;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Copies binaries from one bucket (or prefix) into another inside S3, with the target's identity,
 * which must be able to read the source: what {@link S3Backend#serverSideCopyFrom} offers when both
 * are reached through the same customer role on the same service.
 *
 * <p>The version copied is the one whose SHA-256 the caller expects: the source's current version is
 * looked up (its ETag and recorded SHA-256) and copied with {@code x-amz-copy-source-if-match}, so a
 * version written at the source meanwhile fails the copy (412) instead of being copied under the old
 * digest. The copy's metadata is replaced (a source's digest record lives in the source's bucket, not
 * here) and it gets the target's encryption.
 *
 * <p>Verification. Up to {@link S3Transfer#singleCopyLimit()}, one {@code CopyObject} with {@code
 * x-amz-checksum-algorithm: SHA256}: S3 answers the copy's full-object SHA-256, compared with the
 * expected one; a store that answers none (some S3-compatible ones) gets the copy read back and
 * hashed. Longer binaries are copied in {@code UploadPartCopy} parts: S3 keeps only a composite of the
 * parts' checksums then, so the completed copy is read back and hashed. A copy that does not match is
 * deleted (if it is still the version made) and the copy fails with {@link IntegrityException}: it is
 * at the key only for the read-back's time, and a migration copies only to a key that holds nothing
 * of the organization's yet (or its own earlier copy). A copy claims its SHA-256 only once verified:
 * one S3 verifies as it is made carries it in its metadata; one read back names a digest record,
 * written after the read-back (a copy left unverified by a crash has its digest computed from its
 * bytes at its next stat, never taken on trust). Thread-safe.
 */
final class S3ServerSideCopy implements ServerSideCopy {
  private static final Logger LOG = LoggerFactory.getLogger(S3ServerSideCopy.class);
  private static final String OCTETS = "application/octet-stream";

  private final S3Objects from;
  private final S3Objects to;

  S3ServerSideCopy(S3Objects from, S3Objects to) {
    this.from = from;
    this.to = to;
  }

  @Override
  public StoredBinary copy(OrganizationId organization, ObjectKey key, Sha256Digest expected) {
    from.check(organization);
    to.check(organization);
    if (expected == null) {
      throw org.binarybackends.InvalidInputException.of("expected", null, "the SHA-256 of the source's version");
    }
    String sourceKey = from.objectKey(key);
    String targetKey = to.objectKey(key);
    S3Objects.Version version = from.version(key);
    if (!version.binary().sha256().equals(expected)) {
      throw new IntegrityException(key + " changed at the source: its SHA-256 is " + version.binary().sha256().hex()
          + ", not the " + expected.hex() + " expected; nothing copied");
    }
    long size = version.binary().size();
    boolean single = size <= to.transfer.singleCopyLimit();
    // The SHA-256 goes in the copy's metadata only where the store is known to give its own of the copy
    // (verified as it is made); else the copy names a digest record, written once the copy is read back
    // and verified: a copy left unverified (the process killed before its read-back) has no digest to
    // claim, and its next stat computes the digest of its bytes (see S3Objects.digestOf).
    String token = single && to.copiesConfirmed() ? null : java.util.UUID.randomUUID().toString();
    Map<String, String> metadata = token == null ? Map.of(S3Objects.SHA256_METADATA, expected.hex())
        : Map.of(S3Objects.RECORD_METADATA, token);
    Optional<String> replacedRecord = to.head(key, targetKey).map(h -> h.metadata().get(S3Objects.RECORD_METADATA));
    String etag;
    Optional<Sha256Digest> confirmed;
    try {
      if (single) {
        CopyObjectResult r = to.call(Operation.COPY_OBJECT, () -> to.s3.copyObject(b -> b
            .sourceBucket(from.bucket()).sourceKey(sourceKey).copySourceIfMatch(version.etag())
            .expectedSourceBucketOwner(from.owner)
            .destinationBucket(to.bucket()).destinationKey(targetKey)
            .metadataDirective(MetadataDirective.REPLACE).contentType(OCTETS).metadata(metadata)
            .checksumAlgorithm(ChecksumAlgorithm.SHA256)
            .applyMutation(to.bucket::encrypted))).copyObjectResult();
        etag = r.eTag();
        // a full-object SHA-256 S3 computed of the copy; a composite one (or none) says nothing of the whole
        confirmed = r.checksumType() == ChecksumType.COMPOSITE ? Optional.empty() : answered(key, r.checksumSHA256());
        to.copiesConfirmed(confirmed.isPresent());
      } else {
        etag = new InParts(key, sourceKey, targetKey, version, metadata).run();
        confirmed = Optional.empty();
      }
    } catch (IntegrityException e) {
      throw e;
    } catch (AccessDeniedException e) {
      // S3 says which request, not which half of it: reading the source is refused as often as writing here
      List<String> causes = new ArrayList<>();
      causes.add("the role's policy lacks s3:GetObject on the source, arn:" + from.region.partition() + ":s3:::"
          + from.bucket() + "/" + from.root + "*");
      causes.addAll(e.possibleCauses());
      throw new AccessDeniedException("a copy from bucket " + from.bucket() + ": " + e.refused(), causes,
          e.providerMessage(), e);
    } catch (BinaryBackendException e) {
      throw preconditionFailed(e) ? new IntegrityException(key + " changed at the source during its copy; nothing"
          + " copied") : sourceMissing(e) ? new BinaryNotFoundException(from.instanceId(), organization, key) : e;
    }
    Sha256Digest actual;
    try {
      actual = confirmed.orElseGet(() -> {
        if (single) {
          to.reportUnconfirmedCopies();
        }
        return to.compute(key, targetKey, etag);
      });
      if (actual.equals(expected) && token != null) {
        DigestRecord.write(to, token, new DigestRecord(key.value(), size, expected));
      }
    } catch (RuntimeException e) {
      removeCopy(key, targetKey, etag); // not verified: not left to be taken for a copy
      throw e;
    }
    if (!actual.equals(expected)) {
      removeCopy(key, targetKey, etag);
      throw IntegrityException.digestMismatch(key, expected, actual);
    }
    replacedRecord.filter(old -> !old.equals(token)).ifPresent(to::retireRecord);
    return to.afterPut(key, targetKey, etag, size, expected);
  }

  /** The SHA-256 the store answered for a copy, if it answered one that is one (else the copy is read back). */
  private Optional<Sha256Digest> answered(ObjectKey key, String base64) {
    if (base64 == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Sha256Digest.of(Base64.getDecoder().decode(base64)));
    } catch (RuntimeException e) {
      LOG.warn("{}: the store answered the copy of {} with a SHA-256 that is none ({}); reading the copy back",
          to.instanceId(), key, e.toString());
      return Optional.empty();
    }
  }

  private static boolean preconditionFailed(BinaryBackendException e) {
    return e.getCause() instanceof S3Exception && ((S3Exception) e.getCause()).statusCode() == 412;
  }

  private static boolean sourceMissing(BinaryBackendException e) {
    return e.getCause() instanceof S3Exception && "NoSuchKey".equals(S3Objects.code((S3Exception) e.getCause()));
  }

  /** Deletes a copy that did not verify, unless another write replaced it meanwhile. */
  private void removeCopy(ObjectKey key, String targetKey, String etag) {
    try {
      if (to.head(key, targetKey).filter(h -> etag.equals(h.eTag())).isPresent()) {
        to.s3.deleteObject(b -> b.bucket(to.bucket()).key(targetKey));
      }
    } catch (SdkException | BinaryBackendException e) {
      LOG.warn("{}: the copy of {} that did not verify could not be removed: {}", to.instanceId(), key, e.toString());
    }
  }

  /**
   * A copy in {@code UploadPartCopy} parts of the transfer's part size, {@code partsInFlight} at
   * once; aborted on any failure.
   */
  private final class InParts {
    private final ObjectKey key;
    private final String sourceKey;
    private final String targetKey;
    private final S3Objects.Version version;
    private final Map<String, String> metadata;
    private final Semaphore inFlight = new Semaphore(to.transfer.partsInFlight());
    private final List<CompletableFuture<CompletedPart>> parts = new ArrayList<>();
    private String uploadId;

    InParts(ObjectKey key, String sourceKey, String targetKey, S3Objects.Version version, Map<String, String> metadata) {
      this.key = key;
      this.sourceKey = sourceKey;
      this.targetKey = targetKey;
      this.version = version;
      this.metadata = metadata;
    }

    String run() {
      long size = version.binary().size();
      long partSize = to.transfer.partSize(1, OptionalLong.of(size));
      uploadId = to.createMultipartUpload(targetKey, metadata);
      try {
        int number = 1;
        for (long first = 0; first < size; first += partSize, number++) {
          long last = Math.min(size, first + partSize) - 1;
          submit(number, "bytes=" + first + "-" + last);
        }
        List<CompletedPart> done = new ArrayList<>(parts.size());
        for (CompletableFuture<CompletedPart> f : parts) {
          done.add(MultipartPut.joined(f));
        }
        return to.call(Operation.COMPLETE_MULTIPART_UPLOAD, () -> to.s3.completeMultipartUpload(b -> b
            .bucket(to.bucket()).key(targetKey).uploadId(uploadId).multipartUpload(m -> m.parts(done)))).eTag();
      } catch (RuntimeException | Error e) {
        abort(e);
        throw e;
      }
    }

    private void submit(int number, String range) {
      try {
        inFlight.acquire();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BinaryBackendException("interrupted while copying " + key + "; nothing copied", e);
      }
      for (CompletableFuture<CompletedPart> f : parts) { // stop at the first failed part
        if (f.isCompletedExceptionally()) {
          inFlight.release();
          MultipartPut.joined(f);
        }
      }
      parts.add(CompletableFuture.supplyAsync(() -> {
        try {
          CopyPartResult r = to.call(Operation.UPLOAD_PART_COPY, () -> to.s3.uploadPartCopy(b -> b
              .sourceBucket(from.bucket()).sourceKey(sourceKey).copySourceIfMatch(version.etag())
              .copySourceRange(range).expectedSourceBucketOwner(from.owner)
              .destinationBucket(to.bucket()).destinationKey(targetKey).uploadId(uploadId).partNumber(number)))
              .copyPartResult();
          return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumSHA256(r.checksumSHA256()).build();
        } finally {
          inFlight.release();
        }
      }, to.parts));
    }

    private void abort(Throwable cause) {
      for (CompletableFuture<CompletedPart> f : parts) {
        f.handle((part, failure) -> null).join();
      }
      to.abortUpload(key, targetKey, uploadId, cause);
    }
  }
}
