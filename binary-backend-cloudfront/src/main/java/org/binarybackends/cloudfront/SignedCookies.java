package org.binarybackends.cloudfront;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * CloudFront signed cookies: the same policy as a signed URL, carried by cookies named
 * {@code CloudFront-Expires} (canned) or {@code CloudFront-Policy} (custom), {@code CloudFront-Signature},
 * {@code CloudFront-Key-Pair-Id} and, for SHA-256, {@code CloudFront-Hash-Algorithm}: for a client that
 * fetches many objects under one prefix with one grant. {@link #toString()} shows the names only.
 *
 * @param cookies cookie name to value, in the order to send them
 * @param expiresAt when the policy ends
 */
public record SignedCookies(Map<String, String> cookies, Instant expiresAt) {
  public SignedCookies {
    cookies = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(cookies));
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  /** The value of a {@code Cookie} request header carrying them all. */
  public String cookieHeader() {
    return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "));
  }

  @Override
  public String toString() {
    return "SignedCookies{" + cookies.keySet() + ", until " + expiresAt + "}";
  }
}
