package org.binarybackends;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Where a client sends one part of a {@link DirectUpload}: an HTTP {@code PUT} of exactly the part's
 * bytes to {@link #uri()} with every header of {@link #headers()} (they are part of the signature,
 * as is {@code Content-Length}, the part's length, which every HTTP client sends itself), until
 * {@link #expiresAt()}. {@link #toString()} hides the signature.
 */
public record PresignedPart(int partNumber, URI uri, Map<String, String> headers, Instant expiresAt) {
  public PresignedPart {
    Objects.requireNonNull(uri, "uri");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  @Override
  public String toString() {
    return "PresignedPart{" + partNumber + ", " + SignedUrl.redact(uri.toString()) + ", headers=" + headers.keySet()
        + ", until " + expiresAt + "}";
  }
}
