package org.binarybackends.cloudfront;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.binarybackends.Violation;
import org.binarybackends.spi.CryptoProviders;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.cloudfront.utils.SigningHashAlgorithm;

/**
 * Signs CloudFront URLs for one distribution host and one key pair.
 *
 * <ul>
 *   <li>Object keys are percent-encoded here (the SDK's {@code CloudFrontUtilities} never encodes,
 *       and signs raw non-ASCII that no client sends back): everything but {@code A-Z a-z 0-9 - . _ ~}
 *       and {@code /}, so spaces, {@code +}, {@code %}, {@code ?}, {@code #} and Unicode are safe.
 *   <li>The caller's own query parameters come first and are part of the signed resource; they may not
 *       use CloudFront's names ({@code Expires}, {@code Policy}, {@code Signature}, {@code Key-Pair-Id},
 *       {@code Hash-Algorithm}).
 *   <li>With Amazon Corretto Crypto Provider present ({@link CryptoProviders#corretto()}), it signs
 *       both RSA-2048 and P-256, with its own copy of the key: RSA URLs stay byte for byte those of the
 *       SDK's {@code CloudFrontUtilities} (PKCS#1 v1.5 is deterministic); P-256 signatures take random
 *       nonces from AWS-LC's generator. Without it, RSA-2048 keys are signed by the SDK's {@code
 *       CloudFrontUtilities}, and P-256 keys with BouncyCastle, with deterministic (RFC 6979) nonces:
 *       about six times faster than the JDK provider the SDK uses. {@link #signedBy()} says which.
 *   <li>SHA-1 by default; {@link HashAlgorithm#SHA256} adds {@code Hash-Algorithm=SHA256}, last.
 *   <li>A URL longer than CloudFront's 8,192 bytes is refused rather than handed out.
 * </ul>
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows no key.
 */
public final class CloudFrontSigner {
  /** CloudFront's limit on a request URL. */
  public static final int MAX_URL_BYTES = 8192;
  private static final Set<String> RESERVED = Set.of("expires", "policy", "signature", "key-pair-id", "hash-algorithm");
  private static final Pattern HOST = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}");
  private static final Pattern KEY_PAIR_ID = Pattern.compile("[A-Z0-9]{1,64}");
  private static final Pattern PATH_PREFIX =
      Pattern.compile("(([A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})+/)+");
  private static final Pattern IPV4_CIDR = Pattern.compile(
      "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/(3[0-2]|[12]?[0-9])");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(CloudFrontSigner.class);
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
  private static final ECDomainParameters P256_DOMAIN =
      new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());

  /** The digest CloudFront verifies the signature with. */
  public enum HashAlgorithm {
    SHA1,
    SHA256
  }

  private final String base;
  private final String keyPairId;
  private final CloudFrontKey key;
  private final HashAlgorithm hash;
  private final Clock clock;
  private final Signing signing;
  private final CloudFrontUtilities sdk = CloudFrontUtilities.create();

  private CloudFrontSigner(String base, String keyPairId, CloudFrontKey key, HashAlgorithm hash, Clock clock,
      Signing signing) {
    this.base = base;
    this.keyPairId = keyPairId;
    this.key = key;
    this.hash = hash;
    this.clock = clock;
    this.signing = signing;
  }

  /**
   * Who signs with this key: Amazon Corretto Crypto Provider with its own copy of the key
   * ({@code provider} set), or else the SDK (RSA) or BouncyCastle (P-256) with the key as parsed.
   */
  private static final class Signing {
    final Provider provider;
    final PrivateKey key;
    final String name;

    private Signing(Provider provider, PrivateKey key, String name) {
      this.provider = provider;
      this.key = key;
      this.name = name;
    }

    static Signing of(CloudFrontKey key) {
      boolean rsa = key.algorithm() == CloudFrontKey.Algorithm.RSA_2048;
      Optional<Provider> corretto = CryptoProviders.corretto();
      if (corretto.isPresent()) {
        // the provider's own key object, made once: handing it the JDK's key makes it convert the key at
        // every signature (measured: half the rate)
        byte[] pkcs8 = key.privateKey().getEncoded();
        try {
          PrivateKey own = KeyFactory.getInstance(rsa ? "RSA" : "EC", corretto.get())
              .generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
          return new Signing(corretto.get(), own, corretto.get().getInfo());
        } catch (GeneralSecurityException | RuntimeException e) {
          // never the key itself: the exception's class only
          LOG.warn("{} did not take the {} key ({}): signing without it", CryptoProviders.CORRETTO, key.algorithm(),
              e.getClass().getSimpleName());
        } finally {
          Arrays.fill(pkcs8, (byte) 0);
        }
      }
      return rsa ? new Signing(null, key.privateKey(), "the AWS SDK's CloudFrontUtilities")
          : new Signing(null, key.privateKey(), "BouncyCastle (RFC 6979 nonces)");
    }
  }

  /** Whether the SDK's {@code CloudFrontUtilities} signs (an RSA key, without Corretto), else this class. */
  private boolean sdkSigns() {
    return signing.provider == null && key.algorithm() == CloudFrontKey.Algorithm.RSA_2048;
  }

  /**
   * Who computes the signatures: {@code AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC v1.47.0)} when
   * it is present, else {@code the AWS SDK's CloudFrontUtilities} (RSA) or {@code BouncyCastle (RFC 6979
   * nonces)} (P-256).
   */
  public String signedBy() {
    return signing.name;
  }

  /**
   * This signer judging expiries by {@code clock} (the system's by default): an expiry not after
   * its now is refused.
   */
  public CloudFrontSigner withClock(Clock clock) {
    return new CloudFrontSigner(base, keyPairId, key, hash, Objects.requireNonNull(clock, "clock"), signing);
  }

  /**
   * A signer for {@code https://<host>}.
   *
   * @param host the distribution's domain ({@code d1234567890.cloudfront.net}) or an alternate domain
   * @throws InvalidInputException naming each invalid field
   */
  public static CloudFrontSigner forHost(String host, String keyPairId, CloudFrontKey key, HashAlgorithm hash) {
    List<Violation> v = new ArrayList<>();
    Violation h = hostViolation("host", host);
    if (h != null) {
      v.add(h);
    }
    validate(v, keyPairId, key, hash);
    return new CloudFrontSigner("https://" + host, keyPairId, key, hash, Clock.systemUTC(), Signing.of(key));
  }

  /**
   * A signer for another base URL (an edge emulator in tests): {@code http(s)://host[:port]}.
   *
   * @throws InvalidInputException naming each invalid field
   */
  public static CloudFrontSigner forBaseUrl(URI baseUrl, String keyPairId, CloudFrontKey key, HashAlgorithm hash) {
    List<Violation> v = new ArrayList<>();
    if (baseUrl == null || !("https".equals(baseUrl.getScheme()) || "http".equals(baseUrl.getScheme()))
        || baseUrl.getHost() == null || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null
        || baseUrl.getRawPath() != null && !baseUrl.getRawPath().isEmpty() && !baseUrl.getRawPath().equals("/")) {
      v.add(Violation.of("baseUrl", String.valueOf(baseUrl), "http(s)://host[:port], without path, query or fragment"));
    }
    validate(v, keyPairId, key, hash);
    String b = baseUrl.toString();
    return new CloudFrontSigner(b.endsWith("/") ? b.substring(0, b.length() - 1) : b, keyPairId, key, hash,
        Clock.systemUTC(), Signing.of(key));
  }

  /** What is wrong with {@code host} as a distribution's domain, or {@code null}. */
  static Violation hostViolation(String field, String host) {
    if (host == null) {
      return Violation.missing(field, "the distribution's domain, e.g. d1234567890.cloudfront.net");
    }
    if (HOST.matcher(host).matches()) {
      return null;
    }
    String why = host.contains("://") ? "without a scheme: URLs are always https://"
        : host.contains("/") ? "without a path: an origin path goes in originPath"
        : host.contains(":") ? "without a port: CloudFront serves HTTPS on port 443"
        : !host.equals(host.toLowerCase(Locale.ROOT)) ? "in lower case"
        : "a domain name such as d1234567890.cloudfront.net or an alternate domain such as cdn.example.com";
    return Violation.of(field, host, "the distribution's domain name, " + why);
  }

  /** What is wrong with {@code keyPairId}, or {@code null}. */
  static Violation keyPairIdViolation(String field, String keyPairId) {
    if (keyPairId == null || !KEY_PAIR_ID.matcher(keyPairId).matches()) {
      return Violation.of(field, keyPairId, "the id CloudFront gave the public key: upper-case letters and digits"
          + " such as K2JCJMDEHXQW5F, nothing else (no spaces, '&' or '=')");
    }
    return null;
  }

  private static void validate(List<Violation> v, String keyPairId, CloudFrontKey key, HashAlgorithm hash) {
    Violation id = keyPairIdViolation("keyPairId", keyPairId);
    if (id != null) {
      v.add(id);
    }
    if (key == null) {
      v.add(Violation.missing("privateKey", "the key pair's private key"));
    }
    if (hash == null) {
      v.add(Violation.missing("hashAlgorithm", "SHA1 or SHA256"));
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
  }

  /**
   * The URL of {@code key} under {@code pathPrefix}, with the caller's query parameters, encoded: what
   * a canned policy signs, and what a custom policy's URL starts from.
   *
   * @throws InvalidInputException for a query parameter named like one of CloudFront's
   */
  public String url(String pathPrefix, ObjectKey key, Map<String, String> query) {
    List<Violation> v = new ArrayList<>();
    Violation prefix = pathPrefixViolation(pathPrefix);
    if (prefix != null) {
      throw new InvalidInputException(List.of(prefix));
    }
    Objects.requireNonNull(key, "key");
    StringBuilder url = new StringBuilder(base).append('/').append(pathPrefix).append(key.uriPath());
    char sep = '?';
    for (Map.Entry<String, String> q : query.entrySet()) {
      if (q.getKey() == null || q.getKey().isEmpty() || RESERVED.contains(q.getKey().toLowerCase(Locale.ROOT))) {
        v.add(Violation.of("query", q.getKey(), "parameter names other than CloudFront's own " + RESERVED));
        continue;
      }
      url.append(sep).append(encodeQuery(q.getKey())).append('=').append(encodeQuery(q.getValue() == null ? ""
          : q.getValue()));
      sep = '&';
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return url.toString();
  }

  /**
   * What is wrong with a path prefix, or {@code null}: empty, or path segments each ending with
   * {@code /}, already percent-encoded (RFC 3986 {@code pchar}), none of them {@code .} or {@code ..}
   * (a client or CDN would resolve them, and the signed URL would no longer be the one fetched).
   */
  static Violation pathPrefixViolation(String pathPrefix) {
    if (pathPrefix == null) {
      return Violation.missing("pathPrefix", "\"\" or path segments ending with /");
    }
    if (pathPrefix.isEmpty()) {
      return null;
    }
    if (!PATH_PREFIX.matcher(pathPrefix).matches()) {
      return Violation.of("pathPrefix", pathPrefix, "\"\" or percent-encoded path segments each ending with /, such as"
          + " firmware/ (no leading /, no spaces, ?, # or other characters a URL path cannot hold as they are)");
    }
    for (String segment : pathPrefix.split("/")) {
      if (segment.equals(".") || segment.equals("..")) {
        return Violation.of("pathPrefix", pathPrefix, "path segments other than . and ..");
      }
    }
    return null;
  }

  private static String encodeQuery(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  /**
   * A URL for one object, valid until {@code expires} (canned policy).
   *
   * @param pathPrefix the distribution's path before the key (an origin path mapping), e.g. {@code ""} or
   *     {@code "firmware/"}
   * @param query the caller's own query parameters, signed with the URL
   * @throws InvalidInputException for a reserved query parameter, or a URL over 8,192 bytes
   */
  public SignedUrl signCanned(String pathPrefix, ObjectKey key, Map<String, String> query, Instant expires) {
    checkExpiry(expires);
    String resource = url(pathPrefix, key, query);
    long epoch = expires.getEpochSecond();
    String url;
    if (sdkSigns()) {
      url = sdk.getSignedUrlWithCannedPolicy(r -> r.resourceUrl(resource).privateKey(this.key.privateKey())
          .keyPairId(keyPairId).expirationDate(Instant.ofEpochSecond(epoch)).hashAlgorithm(sdkHash())).url();
    } else {
      url = resource + (resource.indexOf('?') < 0 ? '?' : '&') + "Expires=" + epoch + "&Signature="
          + sign(cannedPolicy(resource, epoch)) + "&Key-Pair-Id=" + keyPairId + hashSuffix();
    }
    return checked(url, Instant.ofEpochSecond(epoch));
  }

  /**
   * A URL for one object or, with a {@code *} in {@code resourcePattern}, for every URL the pattern
   * matches (custom policy), valid from {@code activeFrom} (set it a little in the past, so that a
   * small clock skew does not make a fresh URL not yet valid) to {@code expires}, optionally only from
   * {@code ipRange}.
   *
   * @param url the URL to fetch, from {@link #url}
   * @param resourcePattern the signed resource, e.g. the URL of a prefix followed by {@code *}
   * @throws InvalidInputException for a bad IP range, an empty validity window, or a URL over 8,192 bytes
   */
  public SignedUrl signCustom(String url, String resourcePattern, Instant expires, Optional<Instant> activeFrom,
      Optional<String> ipRange) {
    checkCustom(expires, activeFrom, ipRange);
    if (resourcePattern == null || url == null || !covers(resourcePattern, url)) {
      throw InvalidInputException.of("resourcePattern", resourcePattern, "a pattern that matches the URL it signs, "
          + url + " ('*' for any characters, '?' for one): CloudFront would refuse the URL");
    }
    long epoch = expires.getEpochSecond();
    String signed;
    if (sdkSigns()) {
      signed = sdk.getSignedUrlWithCustomPolicy(r -> {
        r.resourceUrl(url).resourceUrlPattern(resourcePattern).privateKey(key.privateKey()).keyPairId(keyPairId)
            .expirationDate(Instant.ofEpochSecond(epoch)).hashAlgorithm(sdkHash());
        activeFrom.ifPresent(a -> r.activeDate(Instant.ofEpochSecond(a.getEpochSecond())));
        ipRange.ifPresent(r::ipRange);
      }).url();
    } else {
      String json = customPolicy(resourcePattern, epoch, activeFrom, ipRange);
      signed = url + (url.indexOf('?') < 0 ? '?' : '&') + "Policy=" + urlSafe(json.getBytes(StandardCharsets.UTF_8))
          + "&Signature=" + sign(json) + "&Key-Pair-Id=" + keyPairId + hashSuffix();
    }
    return checked(signed, Instant.ofEpochSecond(epoch));
  }

  /**
   * Signed cookies for one object (canned policy), valid until {@code expires}: the URL to fetch is
   * {@link #url} without anything added.
   */
  public SignedCookies cookiesCanned(String pathPrefix, ObjectKey key, Map<String, String> query, Instant expires) {
    checkExpiry(expires);
    String resource = url(pathPrefix, key, query);
    long epoch = expires.getEpochSecond();
    Map<String, String> cookies = new LinkedHashMap<>();
    if (sdkSigns()) {
      var c = sdk.getCookiesForCannedPolicy(r -> r.resourceUrl(resource).privateKey(this.key.privateKey())
          .keyPairId(keyPairId).expirationDate(Instant.ofEpochSecond(epoch)).hashAlgorithm(sdkHash()));
      for (String header : new String[] {c.expiresHeaderValue(), c.signatureHeaderValue(), c.keyPairIdHeaderValue(),
          c.hashAlgorithmHeaderValue()}) {
        putCookie(cookies, header);
      }
    } else {
      cookies.put("CloudFront-Expires", Long.toString(epoch));
      cookies.put("CloudFront-Signature", sign(cannedPolicy(resource, epoch)));
      cookies.put("CloudFront-Key-Pair-Id", keyPairId);
      if (hash == HashAlgorithm.SHA256) {
        cookies.put("CloudFront-Hash-Algorithm", "SHA256");
      }
    }
    return new SignedCookies(cookies, Instant.ofEpochSecond(epoch));
  }

  /**
   * Signed cookies for every URL {@code resourcePattern} matches (custom policy; {@code *} for any
   * characters, e.g. {@code https://host/firmware/*}), with the same conditions as
   * {@link #signCustom}.
   */
  public SignedCookies cookiesCustom(String resourcePattern, Instant expires, Optional<Instant> activeFrom,
      Optional<String> ipRange) {
    checkCustom(expires, activeFrom, ipRange);
    long epoch = expires.getEpochSecond();
    Map<String, String> cookies = new LinkedHashMap<>();
    if (sdkSigns()) {
      var c = sdk.getCookiesForCustomPolicy(r -> {
        r.resourceUrl(resourcePattern).privateKey(key.privateKey()).keyPairId(keyPairId)
            .expirationDate(Instant.ofEpochSecond(epoch)).hashAlgorithm(sdkHash());
        activeFrom.ifPresent(a -> r.activeDate(Instant.ofEpochSecond(a.getEpochSecond())));
        ipRange.ifPresent(r::ipRange);
      });
      for (String header : new String[] {c.policyHeaderValue(), c.signatureHeaderValue(), c.keyPairIdHeaderValue(),
          c.hashAlgorithmHeaderValue()}) {
        putCookie(cookies, header);
      }
    } else {
      String json = customPolicy(resourcePattern, epoch, activeFrom, ipRange);
      cookies.put("CloudFront-Policy", urlSafe(json.getBytes(StandardCharsets.UTF_8)));
      cookies.put("CloudFront-Signature", sign(json));
      cookies.put("CloudFront-Key-Pair-Id", keyPairId);
      if (hash == HashAlgorithm.SHA256) {
        cookies.put("CloudFront-Hash-Algorithm", "SHA256");
      }
    }
    return new SignedCookies(cookies, Instant.ofEpochSecond(epoch));
  }

  /** {@code name=value} as the SDK writes a cookie; nothing for the SDK's absent (SHA-1) hash cookie. */
  private static void putCookie(Map<String, String> cookies, String header) {
    if (header != null && header.indexOf('=') > 0) {
      cookies.put(header.substring(0, header.indexOf('=')), header.substring(header.indexOf('=') + 1));
    }
  }

  private static String cannedPolicy(String resource, long epoch) {
    return "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":"
        + "{\"AWS:EpochTime\":" + epoch + "}}}]}";
  }

  /** The custom policy in the SDK's order of conditions: DateLessThan, IpAddress, DateGreaterThan. */
  private static String customPolicy(String resourcePattern, long epoch, Optional<Instant> activeFrom,
      Optional<String> ipRange) {
    ObjectNode policy = JSON.createObjectNode();
    ObjectNode statement = policy.putArray("Statement").addObject();
    statement.put("Resource", resourcePattern);
    ObjectNode condition = statement.putObject("Condition");
    condition.putObject("DateLessThan").put("AWS:EpochTime", epoch);
    ipRange.ifPresent(cidr -> condition.putObject("IpAddress").put("AWS:SourceIp", cidr));
    activeFrom.ifPresent(a -> condition.putObject("DateGreaterThan").put("AWS:EpochTime", a.getEpochSecond()));
    return policy.toString();
  }

  /**
   * Refuses an expiry CloudFront can only answer with 403: missing, at or before the epoch (a
   * negative {@code Expires}), or already past by the signer's clock.
   */
  private void checkExpiry(Instant expires) {
    Violation v = expiryViolation(expires);
    if (v != null) {
      throw new InvalidInputException(List.of(v));
    }
  }

  private Violation expiryViolation(Instant expires) {
    if (expires == null) {
      return Violation.missing("expires", "an instant in the future");
    }
    Instant now = clock.instant();
    if (expires.getEpochSecond() <= now.getEpochSecond()) {
      return Violation.of("expires", expires.toString(), "an instant after now (" + now.truncatedTo(
          java.time.temporal.ChronoUnit.SECONDS) + "): a URL that has expired already can never be used");
    }
    return null;
  }

  /** Whether a policy's resource pattern ({@code *} any characters, {@code ?} one) matches {@code url}. */
  static boolean covers(String pattern, String url) {
    // iterative glob match with backtracking to the last '*': linear in practice, no regex built
    // from the pattern (a pattern full of '*' would make a regex backtrack exponentially)
    int p = 0;
    int u = 0;
    int star = -1;
    int mark = 0;
    while (u < url.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == url.charAt(u))) {
        p++;
        u++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = u;
      } else if (star >= 0) {
        p = star + 1;
        u = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  private void checkCustom(Instant expires, Optional<Instant> activeFrom, Optional<String> ipRange) {
    List<Violation> v = new ArrayList<>();
    Violation expiry = expiryViolation(expires);
    if (expiry != null) {
      v.add(expiry);
    }
    if (expires != null && activeFrom.isPresent() && !activeFrom.get().isBefore(expires)) {
      v.add(Violation.of("activeFrom", activeFrom.get().toString(), "an instant before expires " + expires));
    }
    ipRange.ifPresent(cidr -> {
      if (!isCidr(cidr)) {
        v.add(Violation.of("ipRange", cidr, "an IPv4 or IPv6 CIDR in canonical form, such as 192.0.2.0/24 (four"
            + " decimal octets without leading zeros, a prefix length of 0 to 32, or 0 to 128 for IPv6)"));
      }
    });
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
  }

  /**
   * A CIDR as CloudFront reads it. IPv4 strictly in dotted decimal: {@link InetAddress} would also
   * take {@code 1.2.3} (as 1.2.0.3) and {@code 0177.0.0.1}, forms CloudFront does not read as the
   * caller meant. IPv6 as any literal {@link InetAddress} parses.
   */
  private static boolean isCidr(String cidr) {
    if (cidr.indexOf(':') < 0) {
      return IPV4_CIDR.matcher(cidr).matches();
    }
    int slash = cidr.indexOf('/');
    if (slash < 0 || !cidr.substring(0, slash).matches("[0-9a-fA-F:]+") || !cidr.substring(slash + 1).matches("[0-9]{1,3}")) {
      return false;
    }
    try {
      InetAddress address = InetAddress.getByName(cidr.substring(0, slash)); // a literal: no DNS lookup
      int bits = Integer.parseInt(cidr.substring(slash + 1));
      return address.getAddress().length == 16 && bits <= 128;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private SignedUrl checked(String url, Instant expires) {
    int bytes = url.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_URL_BYTES) {
      throw InvalidInputException.of("url", bytes + " bytes", "at most " + MAX_URL_BYTES + " bytes, CloudFront's limit:"
          + " use a shorter key, fewer query parameters or a canned policy");
    }
    return new SignedUrl(URI.create(url), expires);
  }

  private String hashSuffix() {
    return hash == HashAlgorithm.SHA256 ? "&Hash-Algorithm=SHA256" : "";
  }

  private SigningHashAlgorithm sdkHash() {
    return hash == HashAlgorithm.SHA256 ? SigningHashAlgorithm.SHA256 : SigningHashAlgorithm.SHA1;
  }

  /**
   * The policy's signature in CloudFront's base64: by Corretto when present (PKCS#1 v1.5 or DER ECDSA,
   * as the JCA gives them), else ECDSA P-256 by BouncyCastle with a deterministic nonce (RFC 6979),
   * DER-encoded.
   */
  private String sign(String policy) {
    byte[] message = policy.getBytes(StandardCharsets.UTF_8);
    if (signing.provider != null) {
      try {
        // a Signature is not thread-safe, and this signer is: one per signature (measured: 5% of an
        // ECDSA signature's time, less of RSA's)
        Signature s = Signature.getInstance((hash == HashAlgorithm.SHA256 ? "SHA256with" : "SHA1with")
            + (key.algorithm() == CloudFrontKey.Algorithm.RSA_2048 ? "RSA" : "ECDSA"), signing.provider);
        s.initSign(signing.key);
        s.update(message);
        return urlSafe(s.sign());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException(signing.name + " failed to sign with the " + key.algorithm() + " key: "
            + e.getClass().getSimpleName(), e);
      }
    }
    Digest digest = hash == HashAlgorithm.SHA256 ? new SHA256Digest() : new SHA1Digest();
    byte[] h = new byte[digest.getDigestSize()];
    digest.update(message, 0, message.length);
    digest.doFinal(h, 0);
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(hash == HashAlgorithm.SHA256 ? new SHA256Digest()
        : new SHA1Digest()));
    BigInteger d = ((ECPrivateKey) key.privateKey()).getS();
    signer.init(true, new ECPrivateKeyParameters(d, P256_DOMAIN));
    BigInteger[] rs = signer.generateSignature(h);
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(rs[0]));
    v.add(new ASN1Integer(rs[1]));
    try {
      return urlSafe(new DERSequence(v).getEncoded());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** CloudFront's URL-safe base64: {@code +} to {@code -}, {@code =} to {@code _}, {@code /} to {@code ~}. */
  static String urlSafe(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes).replace('+', '-').replace('=', '_').replace('/', '~');
  }

  /** The algorithm of the key this signer signs with. */
  public CloudFrontKey.Algorithm keyAlgorithm() {
    return key.algorithm();
  }

  /** The key pair id this signer's URLs name. */
  public String keyPairId() {
    return keyPairId;
  }

  @Override
  public String toString() {
    return "CloudFrontSigner{" + base + ", keyPairId=" + keyPairId + ", " + key.algorithm() + ", " + hash
        + ", signed by " + signing.name + "}";
  }

  /** Query parameters in the order given. */
  public static Map<String, String> query(String... namesAndValues) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      out.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return out;
  }
}
