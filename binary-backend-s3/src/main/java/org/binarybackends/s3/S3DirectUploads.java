package org.binarybackends.s3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryLocation;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PresignedPart;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.UploadedPart;
import org.binarybackends.s3.S3Failures.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Direct uploads into an organization's bucket ("binary parts"). The client's parts go to a
 * multipart upload at a staging key, {@code <prefix>.binary-backends/uploads/<upload id>}, never
 * under the binary's key; each presigned part URL signs that part's {@code x-amz-checksum-sha256}
 * and length, so S3 refuses any other bytes. {@link #complete} checks that every part arrived with
 * its length, completes the staging object, reads it back to check the whole binary's SHA-256, and
 * only then copies it (server-side) to the binary's key and removes the staging object: a client
 * whose parts do not add up to the declared binary changes nothing under the key.
 *
 * <p>Up to 5 GiB (S3's largest single copy); larger binaries go through {@code put}.
 */
final class S3DirectUploads implements DirectUploads {
  private static final Logger LOG = LoggerFactory.getLogger(S3DirectUploads.class);
  /** S3's largest object a single CopyObject copies. */
  static final long MAX_SIZE = 5L << 30;

  private final S3Objects objects;

  S3DirectUploads(S3Objects objects) {
    this.objects = objects;
  }

  private static final String BINARY_KEY = "binary-key";
  private static final String SIZE = "binary-size";

  private String stagingKey(String uploadToken) {
    return objects.reserved("uploads") + uploadToken;
  }

  @Override
  public DirectUpload start(OrganizationId organization, ObjectKey key, long size, Sha256Digest sha256) {
    objects.check(organization);
    objects.objectKey(key);
    if (size < 0 || size > MAX_SIZE) {
      throw InvalidInputException.of("size", Long.toString(size), "0 to 5 GiB (5368709120) bytes for a direct upload"
          + " (S3's largest single copy); larger binaries go through put");
    }
    if (sha256 == null) {
      throw InvalidInputException.of("sha256", null, "the SHA-256 of the whole binary");
    }
    long partSize = objects.transfer.partSize(1, OptionalLong.of(size));
    int parts = (int) Math.max(1, (size + partSize - 1) / partSize);
    String token = java.util.UUID.randomUUID().toString();
    String uploadId = objects.createMultipartUpload(stagingKey(token),
        Map.of(S3Objects.SHA256_METADATA, sha256.hex(), BINARY_KEY, key.uriPath(), SIZE, Long.toString(size)));
    // the staging token travels in the upload id's place: "<token>/<S3's upload id>"
    return new DirectUpload(new BinaryLocation(objects.instanceId(), organization, key), token + "/" + uploadId, size,
        sha256, partSize, parts);
  }

  private record Ids(String stagingKey, String uploadId) {}

  private Ids ids(DirectUpload upload) {
    if (upload == null) {
      throw InvalidInputException.of("upload", null, "a DirectUpload started by this backend");
    }
    objects.check(upload.location().organization());
    if (!upload.location().instance().equals(objects.instanceId())) {
      throw InvalidInputException.of("upload", upload.location().instance().toString(), "an upload of "
          + objects.instanceId());
    }
    int slash = upload.uploadId().indexOf('/');
    if (slash != 36) {
      throw InvalidInputException.of("uploadId", upload.uploadId(), "an upload id this backend made");
    }
    return new Ids(stagingKey(upload.uploadId().substring(0, slash)), upload.uploadId().substring(slash + 1));
  }

  @Override
  public PresignedPart presignPart(DirectUpload upload, int partNumber, Sha256Digest partSha256, Duration ttl) {
    Ids ids = ids(upload);
    long length = upload.partLength(partNumber);
    if (partSha256 == null) {
      throw InvalidInputException.of("partSha256", null, "the SHA-256 of part " + partNumber);
    }
    S3Objects.checkTtl(ttl);
    Map<String, String> headers = Map.of("x-amz-checksum-sha256", partSha256.base64(), "content-length",
        Long.toString(length));
    SignedUrl url = objects.presign(SdkHttpMethod.PUT, ids.stagingKey(), Map.of("partNumber",
        Integer.toString(partNumber), "uploadId", ids.uploadId()), headers, ttl, objects.credentialsLasting(ttl));
    return new PresignedPart(partNumber, url.uri(), Map.of("x-amz-checksum-sha256", partSha256.base64()),
        url.expiresAt());
  }

  @Override
  public List<UploadedPart> uploadedParts(DirectUpload upload) {
    Ids ids = ids(upload);
    List<UploadedPart> out = new ArrayList<>();
    for (Part p : listParts(ids)) {
      out.add(new UploadedPart(p.partNumber(), p.size(), Optional.ofNullable(p.checksumSHA256())
          .map(b -> Sha256Digest.of(Base64.getDecoder().decode(b)))));
    }
    return out;
  }

  private List<Part> listParts(Ids ids) {
    List<Part> parts = new ArrayList<>();
    try {
      objects.s3.listPartsPaginator(b -> b.bucket(objects.bucket()).key(ids.stagingKey()).uploadId(ids.uploadId())
          ).parts().forEach(parts::add);
    } catch (S3Exception e) {
      if ("NoSuchUpload".equals(S3Objects.code(e))) {
        throw InvalidInputException.of("upload", ids.uploadId(), "an upload in progress (this one was completed or"
            + " aborted)");
      }
      throw objects.diagnose(Operation.LIST_PARTS, e);
    } catch (SdkException e) {
      throw objects.diagnose(Operation.LIST_PARTS, e);
    }
    parts.sort(java.util.Comparator.comparing(Part::partNumber));
    return parts;
  }

  @Override
  public StoredBinary complete(DirectUpload upload) {
    Ids ids = ids(upload);
    List<Part> parts = listParts(ids);
    List<String> wrong = new ArrayList<>();
    List<CompletedPart> completed = new ArrayList<>();
    for (int n = 1; n <= upload.partCount(); n++) {
      int number = n;
      Part p = parts.stream().filter(x -> x.partNumber() == number).findFirst().orElse(null);
      if (p == null) {
        wrong.add("part " + n + " has not arrived");
      } else if (p.size() != upload.partLength(n)) {
        wrong.add("part " + n + " has " + p.size() + " bytes, not " + upload.partLength(n));
      } else {
        completed.add(CompletedPart.builder().partNumber(n).eTag(p.eTag()).checksumSHA256(p.checksumSHA256()).build());
      }
    }
    parts.stream().filter(p -> p.partNumber() > upload.partCount())
        .forEach(p -> wrong.add("part " + p.partNumber() + " is beyond the " + upload.partCount() + " parts"));
    if (!wrong.isEmpty()) {
      throw new IntegrityException("direct upload of " + upload.location().key() + " cannot complete: "
          + String.join("; ", wrong) + "; upload the missing parts again, or abort", true);
    }
    String etag = objects.call(Operation.COMPLETE_MULTIPART_UPLOAD, () -> objects.s3.completeMultipartUpload(b -> b
        .bucket(objects.bucket()).key(ids.stagingKey()).uploadId(ids.uploadId())
        .multipartUpload(m -> m.parts(completed)))).eTag();
    ObjectKey key = upload.location().key();
    String target = objects.objectKey(key);
    try {
      checkAgainstStart(upload, ids);
      Sha256Digest actual = objects.compute(key, ids.stagingKey(), etag);
      if (!actual.equals(upload.sha256())) {
        throw IntegrityException.digestMismatch(key, upload.sha256(), actual);
      }
      // server-side copy to the binary's key: S3 computes the copy's full-object SHA-256 and keeps the metadata
      CopyObjectResponse copied = objects.call(Operation.PUT_OBJECT, () -> objects.s3.copyObject(b -> b
          .sourceBucket(objects.bucket()).sourceKey(ids.stagingKey()).copySourceIfMatch(etag)
          .destinationBucket(objects.bucket()).destinationKey(target)
          .checksumAlgorithm(ChecksumAlgorithm.SHA256)
          .applyMutation(objects.bucket::encrypted)));
      return objects.afterPut(key, target, copied.copyObjectResult().eTag(), upload.size(), upload.sha256());
    } finally {
      removeStaging(ids);
    }
  }

  /**
   * The record handed to {@link #complete} is the caller's (a service's, maybe round-tripped through
   * a client): its key, size and SHA-256 must be what {@link #start} recorded in the staging
   * object's metadata, which the copy to the key keeps. Else a changed record would land the bytes
   * under another key, or with a SHA-256 in their metadata that they do not have.
   */
  private void checkAgainstStart(DirectUpload upload, Ids ids) {
    Map<String, String> recorded = objects.call(Operation.HEAD_OBJECT, () -> objects.s3.headObject(b -> b
        .bucket(objects.bucket()).key(ids.stagingKey()))).metadata();
    List<String> changed = new ArrayList<>();
    if (!upload.sha256().hex().equals(recorded.get(S3Objects.SHA256_METADATA))) {
      changed.add("sha256 " + upload.sha256().hex() + " (started with " + recorded.get(S3Objects.SHA256_METADATA) + ")");
    }
    if (!upload.location().key().uriPath().equals(recorded.get(BINARY_KEY))) {
      changed.add("key " + upload.location().key() + " (started for " + recorded.get(BINARY_KEY) + ")");
    }
    if (!Long.toString(upload.size()).equals(recorded.get(SIZE))) {
      changed.add("size " + upload.size() + " (started with " + recorded.get(SIZE) + ")");
    }
    if (!changed.isEmpty()) {
      throw new IntegrityException("direct upload " + upload.uploadId() + " cannot complete: its record was changed"
          + " after start: " + String.join("; ", changed) + "; nothing changed under any key, and the upload is"
          + " removed: start again");
    }
  }

  private void removeStaging(Ids ids) {
    try {
      objects.s3.deleteObject(b -> b.bucket(objects.bucket()).key(ids.stagingKey()));
    } catch (SdkException e) {
      LOG.warn("{}: could not remove the staging object {}: {}", objects.instanceId(), ids.stagingKey(), e.toString());
    }
  }

  @Override
  public void abort(DirectUpload upload) {
    Ids ids = ids(upload);
    try {
      objects.s3.abortMultipartUpload(b -> b.bucket(objects.bucket()).key(ids.stagingKey()).uploadId(ids.uploadId())
          );
    } catch (S3Exception e) {
      if (!"NoSuchUpload".equals(S3Objects.code(e))) {
        throw objects.diagnose(Operation.ABORT_MULTIPART_UPLOAD, e);
      }
    } catch (SdkException e) {
      throw new BackendUnavailableException("aborting the direct upload of " + upload.location().key() + " failed: "
          + e.getMessage(), true, e);
    }
  }
}
