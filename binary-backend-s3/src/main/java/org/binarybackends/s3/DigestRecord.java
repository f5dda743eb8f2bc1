package org.binarybackends.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Optional;
import org.binarybackends.Sha256Digest;
import org.binarybackends.s3.S3Failures.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The SHA-256 of a binary uploaded in parts whose digest was not known in advance: S3 keeps only a
 * composite of the parts' checksums, and user metadata is fixed when the upload is created, before
 * the digest is known. So the library keeps it in a small JSON object,
 * {@code <prefix>.binary-backends/digests/<token>}, named by a random token the binary's object
 * carries in {@code x-amz-meta-digest-record}: concurrent uploads of one key never share a record,
 * and a record belongs to exactly one version.
 */
record DigestRecord(String key, long size, Sha256Digest sha256) {
  private static final Logger LOG = LoggerFactory.getLogger(DigestRecord.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  static void write(S3Objects objects, String token, DigestRecord record) {
    ObjectNode node = JSON.createObjectNode().put("key", record.key).put("size", record.size)
        .put("sha256", record.sha256.hex());
    byte[] bytes = node.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    objects.call(Operation.PUT_OBJECT, () -> objects.s3.putObject(b -> b.bucket(objects.bucket())
        .key(objects.recordKey(token)).contentType("application/json")
        .applyMutation(objects::encrypted), RequestBody.fromBytes(bytes)));
  }

  static Optional<DigestRecord> read(S3Objects objects, String token) {
    byte[] bytes;
    try {
      bytes = objects.s3.getObjectAsBytes(b -> b.bucket(objects.bucket()).key(objects.recordKey(token))
          ).asByteArray();
    } catch (SdkException e) {
      if (S3Objects.isNotFound(e)) {
        return Optional.empty();
      }
      throw objects.diagnose(Operation.GET_OBJECT, e);
    }
    try {
      JsonNode node = JSON.readTree(bytes);
      return Optional.of(new DigestRecord(node.path("key").asText(), node.path("size").asLong(-1),
          Sha256Digest.ofHex(node.path("sha256").asText())));
    } catch (IOException | RuntimeException e) {
      LOG.warn("{}: digest record {} is not readable: {}", objects.instanceId(), token, e.toString());
      return Optional.empty();
    }
  }

  /** Removes a record; a failure only leaves a few bytes behind, so it is logged, not thrown. */
  static void delete(S3Objects objects, String token) {
    try {
      objects.s3.deleteObject(b -> b.bucket(objects.bucket()).key(objects.recordKey(token))
          );
    } catch (SdkException e) {
      LOG.warn("{}: could not remove digest record {}: {}", objects.instanceId(), token, e.toString());
    }
  }
}
