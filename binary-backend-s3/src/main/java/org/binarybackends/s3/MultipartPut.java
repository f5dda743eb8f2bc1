package org.binarybackends.s3;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.IntegrityException;
import org.binarybackends.ObjectKey;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import org.binarybackends.s3.S3Failures.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * One binary longer than a part, uploaded in parts: read part by part on the caller's thread (which
 * also hashes the whole binary), each part uploaded on another thread with its own
 * {@code x-amz-checksum-sha256}, computed by the SDK as it sends (S3 refuses a part whose bytes
 * differ; the answer must confirm the checksum), at most
 * {@link S3Transfer#partsInFlight()} parts held at once. Before completing, the length and the whole
 * binary's SHA-256 are checked against the caller's expectations; the completion lists every part's
 * checksum, so S3 also checks the assembly. Any failure aborts the upload: no object and no
 * orphaned upload is left (unless the role may not abort, then the lifecycle rule removes it).
 *
 * <p>Why SHA-256 parts and not a full-object CRC: S3 accepts one checksum algorithm per multipart
 * upload, and per-part SHA-256 is what the presigned direct uploads and the corrupted-part checks
 * rely on; the whole binary's SHA-256 is the library's own (see {@link S3Objects}).
 */
final class MultipartPut {
  private static final Logger LOG = LoggerFactory.getLogger(MultipartPut.class);

  private final S3Objects objects;
  private final ObjectKey key;
  private final String objectKey;
  private final PutOptions options;
  private final Semaphore inFlight;
  private final List<CompletableFuture<CompletedPart>> uploads = new ArrayList<>();
  private String uploadId;

  MultipartPut(S3Objects objects, ObjectKey key, String objectKey, PutOptions options) {
    this.objects = objects;
    this.key = key;
    this.objectKey = objectKey;
    this.options = options;
    this.inFlight = new Semaphore(objects.transfer.partsInFlight());
  }

  /**
   * @param first the first part, already read (a whole part)
   * @param next the byte after it, already read (so there is a second part)
   * @param rest the rest of the binary
   */
  StoredBinary run(byte[] first, int next, InputStream rest) {
    Optional<Sha256Digest> expected = options.expectedSha256();
    // The digest goes in the metadata when it is known now (and checked before completing); else in a
    // record named by a token, written once the whole binary has been hashed.
    String token = expected.isPresent() ? null : UUID.randomUUID().toString();
    Map<String, String> metadata = expected.map(d -> Map.of(S3Objects.SHA256_METADATA, d.hex()))
        .orElseGet(() -> Map.of(S3Objects.RECORD_METADATA, token));
    uploadId = objects.createMultipartUpload(objectKey, metadata);
    boolean recorded = false;
    try {
      MessageDigest whole = S3Objects.sha256();
      long total = upload(first, next, rest, whole);
      Sha256Digest digest = Sha256Digest.of(whole);
      S3Objects.checkExpectations(key, options, total, digest);
      List<CompletedPart> parts = awaitParts();
      Optional<String> replacedRecord = Optional.empty();
      if (token != null) {
        replacedRecord = objects.head(key, objectKey).map(h -> h.metadata().get(S3Objects.RECORD_METADATA));
        DigestRecord.write(objects, token, new DigestRecord(key.value(), total, digest));
        recorded = true;
      }
      String etag = complete(parts, token, expected, total);
      replacedRecord.filter(old -> !old.equals(token)).ifPresent(objects::retireRecord);
      return objects.afterPut(key, objectKey, etag, total, digest);
    } catch (RuntimeException | Error e) {
      abort(recorded ? token : null, e);
      throw e;
    }
  }

  /** Reads and submits every part; returns the binary's length. */
  private long upload(byte[] first, int next, InputStream rest, MessageDigest whole) {
    long declared = options.contentLength().orElse(Long.MAX_VALUE);
    byte[] part = first;
    int length = first.length;
    int pending = next;
    long total = 0;
    for (int number = 1; ; number++) {
      whole.update(part, 0, length);
      total += length;
      if (total > declared) {
        throw IntegrityException.lengthMismatch(key, declared, total);
      }
      if (number > S3Transfer.MAX_PARTS) {
        throw new BinaryBackendException(key + " needs more than " + S3Transfer.MAX_PARTS + " parts of up to "
            + objects.transfer.partSize(number, options.contentLength()) + " bytes; give its length (PutOptions"
            + ".contentLength) so that the part size fits it; nothing stored");
      }
      submit(number, part, length);
      if (pending < 0) {
        return total;
      }
      failFast();
      acquire();
      int size = (int) objects.transfer.partSize(number + 1, options.contentLength());
      part = new byte[size];
      part[0] = (byte) pending;
      try {
        length = 1 + rest.readNBytes(part, 1, size - 1);
        pending = length < size ? -1 : rest.read();
      } catch (IOException e) {
        inFlight.release();
        throw S3Objects.readFailed(key, rest, e);
      }
    }
  }

  private void acquire() {
    try {
      inFlight.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BinaryBackendException("interrupted while uploading " + key + "; nothing stored", e);
    }
  }

  private void submit(int number, byte[] part, int length) {
    if (number == 1) {
      acquire(); // the first part was read before the upload began
    }
    if (objects.parts.isShutdown()) {
      inFlight.release();
      throw new org.binarybackends.BackendUnavailableException("the S3 objects was closed during the upload of " + key
          + "; nothing stored", false, null);
    }
    uploads.add(CompletableFuture.supplyAsync(() -> {
      try {
        // The SDK computes the part's SHA-256 as it sends it and sends it as x-amz-checksum-sha256 (a
        // trailer): one pass over the bytes, not two. S3 refuses the part if its bytes differ.
        UploadPartResponse r = objects.send(Operation.UPLOAD_PART, () -> objects.s3.uploadPart(b -> b
            .bucket(objects.bucket()).key(objectKey).uploadId(uploadId).partNumber(number).contentLength((long) length)
            .checksumAlgorithm(ChecksumAlgorithm.SHA256),
            S3Objects.body(part, length)));
        if (r.checksumSHA256() == null) {
          // S3 echoes the checksum it checked; a store that does not (some S3-compatible ones) is
          // completed without it: the whole binary's SHA-256 is checked here anyway
          objects.reportUnconfirmedChecksums();
        }
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumSHA256(r.checksumSHA256()).build();
      } finally {
        inFlight.release();
      }
    }, objects.parts));
  }

  /** Stops reading as soon as a part has failed, with that part's failure. */
  private void failFast() {
    for (CompletableFuture<CompletedPart> f : uploads) {
      if (f.isCompletedExceptionally()) {
        joined(f);
      }
    }
  }

  /** The part, or the part's own failure (already a diagnosis), not the future's wrapper. */
  static CompletedPart joined(CompletableFuture<CompletedPart> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException) {
        throw (RuntimeException) e.getCause();
      }
      throw new BinaryBackendException("uploading a part failed: " + e.getCause(), e.getCause());
    }
  }

  private List<CompletedPart> awaitParts() {
    List<CompletedPart> done = new ArrayList<>(uploads.size());
    for (CompletableFuture<CompletedPart> f : uploads) {
      done.add(joined(f));
    }
    done.sort(Comparator.comparing(CompletedPart::partNumber));
    return done;
  }

  /**
   * Completes the upload. A completion that answers {@code NoSuchUpload} may have succeeded on an
   * earlier attempt whose answer was lost: the object is checked before calling it failed.
   */
  private String complete(List<CompletedPart> parts, String token, Optional<Sha256Digest> expected, long total) {
    try {
      CompleteMultipartUploadResponse r = objects.s3.completeMultipartUpload(b -> b.bucket(objects.bucket())
          .key(objectKey).uploadId(uploadId)
          .multipartUpload(m -> m.parts(parts)));
      return r.eTag();
    } catch (S3Exception e) {
      if ("NoSuchUpload".equals(S3Objects.code(e))) {
        Optional<HeadObjectResponse> head = objects.head(key, objectKey);
        if (head.isPresent() && head.get().contentLength() == total && (token != null
            ? token.equals(head.get().metadata().get(S3Objects.RECORD_METADATA))
            : expected.get().hex().equals(head.get().metadata().get(S3Objects.SHA256_METADATA)))) {
          LOG.info("completing {} answered NoSuchUpload, but the object is there: an earlier attempt succeeded", key);
          return head.get().eTag();
        }
      }
      throw objects.diagnose(Operation.COMPLETE_MULTIPART_UPLOAD, e);
    } catch (SdkException e) {
      throw objects.diagnose(Operation.COMPLETE_MULTIPART_UPLOAD, e);
    }
  }

  private void abort(String record, Throwable cause) {
    // parts still being sent are let finish (or fail) first: S3 may keep a part that arrives after an abort
    for (CompletableFuture<CompletedPart> f : uploads) {
      f.handle((part, failure) -> null).join();
    }
    objects.abortUpload(key, objectKey, uploadId, cause);
    if (record != null) {
      DigestRecord.delete(objects, record);
    }
  }
}
