package org.binarybackends.testkit.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.binarybackends.testkit.CloudFrontEdgeEmulator;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A bucket of the {@link EmbeddedS3} server as the origin of a {@link CloudFrontEdgeEmulator}, reached
 * as CloudFront reaches S3 through Origin Access Control: the request path, after the distribution's
 * origin path, names the object; an object that is missing, or any object while
 * {@link #bucketPolicyAllowsRead(boolean) the bucket policy does not let the distribution read}, is
 * S3's 403. Thread-safe.
 */
public final class OacOrigin implements CloudFrontEdgeEmulator.Origin {
  private final BlobStore store;
  private final String bucket;
  private final String originPath;
  private volatile boolean allowsRead = true;
  private volatile String lastKey;

  OacOrigin(BlobStore store, String bucket, String originPath) {
    this.store = store;
    this.bucket = bucket;
    this.originPath = originPath;
  }

  /** Whether the bucket policy holds the statement that lets the distribution read (the default). */
  public OacOrigin bucketPolicyAllowsRead(boolean allows) {
    this.allowsRead = allows;
    return this;
  }

  /** The object key the last request asked the bucket for, or {@code null}. */
  public String lastKey() {
    return lastKey;
  }

  @Override
  public Optional<byte[]> fetch(String rawPath) {
    String key = (originPath + decode(rawPath)).substring(1);
    lastKey = key;
    if (!allowsRead) {
      return Optional.empty();
    }
    try (ResponseInputStream<GetObjectResponse> in = store.getBlob(GetObjectRequest.builder().bucket(bucket).key(key)
        .build())) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + bucket + "/" + key, e);
    }
  }

  /** Percent-decodes a path as UTF-8 ({@code +} stays a plus: it is not a space in a path). */
  private static String decode(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
