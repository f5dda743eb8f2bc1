package org.binarybackends.defaultstore;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;

/**
 * Signs download URLs of the default storage and checks them, for the embedded download server or
 * any HTTP framework: {@link #check(String, String)} takes the raw path and query of a request and
 * says whether to serve which binary; {@link org.binarybackends.BinaryBackend#read} then serves the
 * bytes, whole or a range.
 *
 * <p>A URL is {@code <base><organization>/<key>?expires=<epoch seconds>&kid=<key id>&sig=<mac>}, the
 * key percent-encoded except for {@code /}. The MAC is HMAC-SHA256 over a canonical encoding of
 * (organization, key, expiry, key id) in which every field is prefixed by its length: a plain
 * concatenation would let key {@code fw1} expiring at {@code 1700000000} sign the same bytes as
 * key {@code fw} expiring at {@code 11700000000}. MACs are compared in constant time. Every key of
 * the settings is trusted; the active one signs.
 *
 * <p>Immutable and thread-safe.
 */
public final class DownloadTokens {
  private static final byte[] DOMAIN = "binary-backends/default-storage/download/v1".getBytes(StandardCharsets.US_ASCII);
  private static final String ALGORITHM = "HmacSHA256";
  private static final java.util.regex.Pattern CANONICAL_EXPIRES = java.util.regex.Pattern.compile("0|[1-9][0-9]{0,17}");

  private final Map<String, SecretKeySpec> keys = new HashMap<>();
  private final String activeKeyId;
  private final Duration maxTtl;
  private final Clock clock;

  private DownloadTokens(DefaultStorageSettings settings, Clock clock) {
    settings.signingKeys().forEach(k -> keys.put(k.id(), new SecretKeySpec(k.secret().reveal(), ALGORITHM)));
    this.activeKeyId = settings.activeSigningKeyId();
    this.maxTtl = settings.maxDownloadTtl();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Tokens signed and checked with the keys of {@code settings}, expiring by {@code clock}. */
  public static DownloadTokens of(DefaultStorageSettings settings, Clock clock) {
    return new DownloadTokens(settings, clock);
  }

  /**
   * A signed URL under {@code base} for {@code ttl}. The expiry is rounded down to a whole second
   * (the URL carries seconds), so {@link SignedUrl#expiresAt()} is exact and never later than asked.
   *
   * @throws InvalidInputException if {@code ttl} is null, shorter than a second or longer than the
   *     configured maximum
   */
  public SignedUrl sign(URI base, OrganizationId organization, ObjectKey key, Duration ttl) {
    if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(maxTtl) > 0) {
      throw InvalidInputException.of("ttl", String.valueOf(ttl), "1 second to the configured maximum " + maxTtl);
    }
    long expires = clock.instant().plus(ttl).getEpochSecond();
    String sig = mac(activeKeyId, organization, key, expires);
    String url = base + pathOf(organization, key) + "?expires=" + expires + "&kid=" + activeKeyId + "&sig=" + sig;
    return new SignedUrl(URI.create(url), Instant.ofEpochSecond(expires));
  }

  /** The URL path of a binary below the base: {@code <organization>/<percent-encoded key>}. */
  static String pathOf(OrganizationId organization, ObjectKey key) {
    return organization.value() + "/" + key.uriPath();
  }

  /**
   * Checks a request for a signed URL.
   *
   * @param rawPath the request path below the base, still percent-encoded:
   *     {@code <organization>/<key>}
   * @param rawQuery the raw query string, or {@code null}
   * @return granted with the organization and key to serve, or denied with the reason
   */
  public DownloadAuthorization check(String rawPath, String rawQuery) {
    if (rawPath == null || rawQuery == null) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.MALFORMED, "missing path or query");
    }
    int slash = rawPath.indexOf('/');
    OrganizationId organization;
    ObjectKey key;
    try {
      organization = OrganizationId.of(rawPath.substring(0, Math.max(slash, 0)));
      key = ObjectKey.of(percentDecode(rawPath.substring(slash + 1)));
    } catch (InvalidInputException | IllegalArgumentException e) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.MALFORMED, "not <organization>/<key>");
    }
    Map<String, String> params = queryParameters(rawQuery);
    String expiresText = params.get("expires");
    String kid = params.get("kid");
    String sig = params.get("sig");
    if (expiresText == null || kid == null || sig == null) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.MALFORMED, "expires, kid and sig are required");
    }
    // exactly the spelling sign() writes: no sign, no leading zero, no padding, no other base64 of
    // the same bytes; one URL has one accepted form, so that a tampered one can never pass for it
    if (!CANONICAL_EXPIRES.matcher(expiresText).matches()) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.MALFORMED, "expires is not a number");
    }
    long expires = Long.parseLong(expiresText);

    if (!keys.containsKey(kid)) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.UNKNOWN_KEY, "signed with a key no longer trusted");
    }
    // compared as the text sign() writes (URL-safe base64, unpadded), not as decoded bytes: padding or
    // a flipped unused bit in the last character would decode to the same MAC
    byte[] given = sig.getBytes(StandardCharsets.US_ASCII);
    byte[] expected = mac(kid, organization, key, expires).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.BAD_SIGNATURE, "signature does not match");
    }
    if (clock.instant().getEpochSecond() >= expires) {
      return DownloadAuthorization.denied(DownloadAuthorization.Denial.EXPIRED, "expired at " + Instant.ofEpochSecond(expires));
    }
    return DownloadAuthorization.granted(organization, key, Instant.ofEpochSecond(expires));
  }

  private String mac(String kid, OrganizationId organization, ObjectKey key, long expires) {
    ByteArrayOutputStream canonical = new ByteArrayOutputStream(128);
    lengthPrefixed(canonical, DOMAIN);
    lengthPrefixed(canonical, organization.value().getBytes(StandardCharsets.US_ASCII));
    lengthPrefixed(canonical, key.utf8());
    lengthPrefixed(canonical, ByteBuffer.allocate(8).putLong(expires).array());
    lengthPrefixed(canonical, kid.getBytes(StandardCharsets.US_ASCII));
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(keys.get(kid));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(canonical.toByteArray()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
    }
  }

  /** The trusted key ids and the active one; never a key. */
  @Override
  public String toString() {
    return "DownloadTokens{keys=" + new java.util.TreeSet<>(keys.keySet()) + ", active=" + activeKeyId + ", maxTtl="
        + maxTtl + "}";
  }

  private static void lengthPrefixed(ByteArrayOutputStream out, byte[] field) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(field.length).array());
    out.writeBytes(field);
  }

  private static String percentDecode(String raw) {
    // URLDecoder would turn '+' into a space, which is form encoding, not path encoding.
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Map<String, String> queryParameters(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        // a parameter given twice is ambiguous: refuse by forgetting it
        String name = pair.substring(0, eq);
        if (out.putIfAbsent(name, pair.substring(eq + 1)) != null) {
          out.put(name, null);
        }
      }
    }
    return out;
  }
}
