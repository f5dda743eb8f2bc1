package org.binarybackends.testkit;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;

/**
 * What fetching a signed URL gave: the HTTP status, and the length and SHA-256 of the body (the
 * body itself is streamed, never kept).
 *
 * @param status the HTTP status code
 * @param length the body's length in bytes
 * @param sha256 the body's SHA-256
 */
public record Download(int status, long length, Sha256Digest sha256) {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** GETs {@code url} with a plain HTTP/1.1 client, as a device would, and reads the body to its end. */
  public static Download fetch(SignedUrl url) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(url.uri()).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      return of(response.statusCode(), body);
    }
  }

  /** Reads {@code body} to its end, counting and hashing it. */
  public static Download of(int status, InputStream body) {
    long[] count = new long[1];
    InputStream counting = new FilterInputStream(body) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        count[0] += Math.max(n, 0);
        return n;
      }
    };
    Sha256Digest digest = GeneratedContent.digest(counting);
    return new Download(status, count[0], digest);
  }
}
