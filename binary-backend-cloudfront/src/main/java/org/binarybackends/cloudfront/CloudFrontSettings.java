package org.binarybackends.cloudfront;

import java.util.TreeSet;
import java.util.Collections;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.SettingsReader;

/**
 * A CloudFront distribution in front of an organization's bucket: its host, the key pairs its
 * trusted key group holds, how long URLs live, the hash the signatures use, the distribution's
 * origin path, and the bucket itself ({@code origin}, the organization's {@code s3} settings), where
 * uploads, reads, listings and deletes go. Every field is validated at once and every violation
 * reported together; no key material is ever shown. Immutable.
 *
 * <p>JSON:
 * <pre>{@code
 * {"type": "cloudfront",
 *  "host": "d1234567890.cloudfront.net",
 *  "keys": [{"keyPairId": "K2JCJMDEHXQW5F", "privateKey": "-----BEGIN PRIVATE KEY-----\n...",
 *            "passphrase": "only for an encrypted key"}],
 *  "ttlSeconds": 3600,
 *  "hashAlgorithm": "SHA1",
 *  "originPath": "/firmware",
 *  "origin": {"type": "s3", "organization": "...", "bucket": "...", ...}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code host}: the distribution's domain or one of its alternate domains; served over HTTPS on
 *       port 443. {@code endpoint} ({@code http(s)://host:port}) replaces it for tests only.
 *   <li>{@code keys}: 1 to {@value #MAX_KEYS} key pairs (a key group holds at most five public keys),
 *       oldest first. The newest one that a probe has shown trusted at the edge signs; the others stay
 *       trusted until every URL they signed has expired (see {@link CloudFrontBackendProvider}).
 *       {@code privateKey}: PEM text (PKCS#1, PKCS#8, SEC1, encrypted PKCS#8) or base64 of PKCS#8 DER;
 *       RSA-2048 or ECDSA P-256 only.
 *   <li>{@code ttlSeconds}: the longest a URL lives, {@value #DEFAULT_TTL_SECONDS} s (1 hour) unless
 *       given, {@value #MIN_TTL_SECONDS} s to {@value #MAX_TTL_SECONDS} s (7 days); a caller asking for
 *       longer gets this.
 *   <li>{@code hashAlgorithm}: {@code SHA1} (CloudFront's default) or {@code SHA256}.
 *   <li>{@code originPath}: the distribution's origin path, e.g. {@code /firmware}; it must begin the
 *       bucket's prefix (CloudFront adds it to every request), and URLs leave it out.
 * </ul>
 */
public final class CloudFrontSettings implements BackendSettings {
  static final String TYPE = "cloudfront";
  /** How many key pairs a key group holds. */
  public static final int MAX_KEYS = 5;
  public static final long DEFAULT_TTL_SECONDS = 3600;
  public static final long MIN_TTL_SECONDS = 60;
  public static final long MAX_TTL_SECONDS = 7 * 24 * 3600;

  private final String host;
  private final Optional<URI> endpoint;
  private final List<KeyPair> keys;
  private final Duration ttl;
  private final HashAlgorithm hashAlgorithm;
  private final String originPath;
  private final S3Settings origin;

  /**
   * One key pair of the distribution's key group: the id CloudFront gave its public key, and the
   * private key. {@code toString()} shows the id only.
   */
  public record KeyPair(String keyPairId, CloudFrontKey privateKey) {
    public KeyPair {
      Objects.requireNonNull(keyPairId, "keyPairId");
      Objects.requireNonNull(privateKey, "privateKey");
    }

    @Override
    public String toString() {
      return keyPairId + "(" + privateKey.algorithm() + ")";
    }
  }

  private CloudFrontSettings(Builder b) {
    this.host = b.host;
    this.endpoint = Optional.ofNullable(b.endpointUri);
    this.keys = List.copyOf(b.keys);
    this.ttl = b.ttl;
    this.hashAlgorithm = b.hashAlgorithm;
    this.originPath = b.originPath;
    this.origin = b.origin;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the settings from JSON, reporting every violation at once (key material never shown). */
  public static CloudFrontSettings read(SettingsReader json) {
    json.skip("type");
    Builder b = builder();
    // the origin first: its reader reports its own fields as origin.<field>
    SettingsReader originJson = json.requiredObject("origin", "the organization's bucket: its s3 settings object");
    if (originJson != null) {
      try {
        b.origin(S3Settings.read(originJson));
      } catch (InvalidConfigurationException e) {
        // recorded in the shared list of violations, reported with the rest below
      }
    }
    b.host(json.requiredString("host", "the distribution's domain, e.g. d1234567890.cloudfront.net"));
    List<SettingsReader> keys = json.requiredObjects("keys", "1 to " + MAX_KEYS + " key pairs "
        + "[{\"keyPairId\": ..., \"privateKey\": ...}], oldest first");
    for (int i = 0; i < keys.size(); i++) {
      SettingsReader k = keys.get(i);
      String id = k.requiredString("keyPairId", "the id of the public key in CloudFront, e.g. K2JCJMDEHXQW5F");
      Secret key = k.optionalSecret("privateKey", "the private key: PEM text, or base64 of PKCS#8 DER");
      if (key == null && !k.has("privateKey")) {
        k.violation("privateKey", null, "the private key: PEM text, or base64 of PKCS#8 DER");
      } else if (key != null && !key.revealUtf8().contains("-----BEGIN")) {
        try {
          key = Secret.ofBase64("privateKey", key.revealUtf8().replaceAll("\\s", ""));
        } catch (InvalidInputException e) {
          k.violations(List.of(Violation.ofSecret("privateKey", "PEM text (-----BEGIN ...), or base64 of PKCS#8 DER;"
              + " found neither")));
          key = null;
        }
      }
      Secret passphrase = k.optionalSecret("passphrase", "the passphrase of an encrypted private key");
      b.key(id, key, passphrase); // keys[i], in order
    }
    b.ttl(Duration.ofSeconds(json.optionalLong("ttlSeconds", MIN_TTL_SECONDS, MAX_TTL_SECONDS, DEFAULT_TTL_SECONDS,
        "the longest a URL lives, in seconds")));
    String hash = json.optionalString("hashAlgorithm", "SHA1 or SHA256");
    if (hash != null) {
      if (hash.equals("SHA1") || hash.equals("SHA256")) {
        b.hashAlgorithm(HashAlgorithm.valueOf(hash));
      } else {
        json.violation("hashAlgorithm", hash, "SHA1 (CloudFront's default) or SHA256");
      }
    }
    String originPath = json.optionalString("originPath", "the distribution's origin path, e.g. /firmware");
    if (originPath != null) {
      b.originPath(originPath);
    }
    String endpoint = json.optionalString("endpoint", "for tests only: http(s)://host:port");
    if (endpoint != null) {
      b.endpoint(endpoint);
    }
    return json.finish(b::build);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The origin bucket's instance: the CloudFront backend reaches the very bytes the bucket holds. */
  @Override
  public BackendInstanceId instanceId() {
    return origin.instanceId();
  }

  /** The distribution serves its origin bucket only: as a download configuration, the upload configuration must be that bucket. */
  @Override
  public boolean servesOnlyItsInstance() {
    return true;
  }

  public String host() {
    return host;
  }

  /** The base of every URL: {@code https://<host>}, or the test endpoint. */
  public URI baseUrl() {
    return endpoint.orElseGet(() -> URI.create("https://" + host));
  }

  /** The test endpoint replacing {@code https://<host>}, if one is set. */
  public Optional<URI> endpoint() {
    return endpoint;
  }

  /** The key pairs, oldest first. */
  public List<KeyPair> keys() {
    return keys;
  }

  /** The longest a URL lives. */
  public Duration ttl() {
    return ttl;
  }

  public HashAlgorithm hashAlgorithm() {
    return hashAlgorithm;
  }

  /** The distribution's origin path ({@code ""} or {@code /firmware}). */
  public String originPath() {
    return originPath;
  }

  /** The bucket the distribution serves, where uploads, reads, listings and deletes go. */
  public S3Settings origin() {
    return origin;
  }

  /**
   * Whether {@code upload} is exactly this distribution's origin: S3 settings equal to {@link #origin()}
   * in every field (role, role name, KMS key, prefix, endpoints), not only the same bucket.
   */
  @Override
  public boolean fronts(BackendSettings upload) {
    return upload instanceof S3Settings s && s.toJson().equals(origin.toJson());
  }

  /** The origin's organization: the activator registers these settings for it only. */
  @Override
  public Optional<OrganizationId> servedOrganization() {
    return origin.servedOrganization();
  }

  /** {@code endpoint} and the origin's overrides ({@code origin.s3Endpoint}, ...), where set. */
  @Override
  public Set<String> endpointOverrides() {
    Set<String> fields = new TreeSet<>();
    endpoint.ifPresent(e -> fields.add("endpoint"));
    origin.endpointOverrides().forEach(f -> fields.add("origin." + f));
    return Collections.unmodifiableSet(fields);
  }

  /** The path of URLs before an object's key: the bucket's prefix without the origin path. */
  String urlPathPrefix() {
    return ("/" + origin.prefix()).substring(originPath.length() + 1);
  }

  @Override
  public String toString() {
    return "CloudFrontSettings{" + baseUrl() + ", keys=" + keys + ", ttl=" + ttl.getSeconds() + "s, " + hashAlgorithm
        + (originPath.isEmpty() ? "" : ", originPath=" + originPath) + ", origin=" + origin + "}";
  }

  /**
   * These settings as JSON for display: every private key written {@code "***"} (such JSON is refused
   * if registered). {@link #toSettingsJson()} is the one that holds the keys.
   */
  public String toJson() {
    return json(false).toString();
  }

  /**
   * These settings as the settings {@code register} takes, private keys included (as PKCS#8 DER,
   * base64, unencrypted: the state store seals them): reveal them only to hand them over.
   */
  public org.binarybackends.activation.SettingsJson toSettingsJson() {
    return org.binarybackends.activation.SettingsJson.of(json(true).toString());
  }

  private com.fasterxml.jackson.databind.node.ObjectNode json(boolean withKeys) {
    com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("type", TYPE).put("host", host);
    com.fasterxml.jackson.databind.node.ArrayNode k = o.putArray("keys");
    for (KeyPair pair : keys) {
      k.addObject().put("keyPairId", pair.keyPairId()).put("privateKey", withKeys
          ? pair.privateKey().pkcs8Base64().revealUtf8() : Secret.REDACTED);
    }
    o.put("ttlSeconds", ttl.getSeconds()).put("hashAlgorithm", hashAlgorithm.name());
    if (!originPath.isEmpty()) {
      o.put("originPath", originPath);
    }
    endpoint.ifPresent(e -> o.put("endpoint", e.toString()));
    try {
      o.set("origin", new com.fasterxml.jackson.databind.ObjectMapper().readTree(origin.toJson()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("the origin's own JSON always reads", e);
    }
    return o;
  }

  /** Builds {@link CloudFrontSettings}, validating everything at {@link #build()}; not thread-safe. */
  public static final class Builder {
    private String host;
    private String endpoint;
    private URI endpointUri;
    /** As given, in order: {@code keys[i]} in a violation is the i-th. */
    private final List<RawKey> rawKeys = new ArrayList<>();
    private final List<KeyPair> keys = new ArrayList<>();
    private Duration ttl = Duration.ofSeconds(DEFAULT_TTL_SECONDS);
    private HashAlgorithm hashAlgorithm = HashAlgorithm.SHA1;
    private String originPath = "";
    private S3Settings origin;

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** For tests only: the base URL replacing {@code https://<host>}, {@code http(s)://host:port}. */
    public Builder endpoint(String endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Adds a key pair (keys are given oldest first).
     *
     * @param privateKey PEM text or PKCS#8 DER bytes of the private key
     * @param passphrase the passphrase of an encrypted key, else {@code null}
     */
    public Builder key(String keyPairId, Secret privateKey, Secret passphrase) {
      rawKeys.add(new RawKey(keyPairId, privateKey, passphrase));
      return this;
    }

    private record RawKey(String keyPairId, Secret privateKey, Secret passphrase) {}

    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    public Builder hashAlgorithm(HashAlgorithm hashAlgorithm) {
      this.hashAlgorithm = hashAlgorithm;
      return this;
    }

    public Builder originPath(String originPath) {
      this.originPath = originPath;
      return this;
    }

    public Builder origin(S3Settings origin) {
      this.origin = origin;
      return this;
    }

    /**
     * Validates every field.
     *
     * @throws InvalidConfigurationException listing every violation, naming each field
     */
    public CloudFrontSettings build() {
      List<Violation> v = new ArrayList<>();
      Violation h = CloudFrontSigner.hostViolation("host", host);
      if (h != null) {
        v.add(h);
      }
      endpointUri = null;
      if (endpoint != null) {
        endpointUri = endpoint(v, endpoint);
      }
      keys.clear();
      if (rawKeys.isEmpty() || rawKeys.size() > MAX_KEYS) {
        v.add(Violation.of("keys", rawKeys.size() + " key pairs", "1 to " + MAX_KEYS + " key pairs (a key group holds at"
            + " most " + MAX_KEYS + " public keys)"));
      }
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < rawKeys.size(); i++) {
        RawKey raw = rawKeys.get(i);
        String field = "keys[" + i + "].";
        String id = raw.keyPairId();
        Violation idViolation = CloudFrontSigner.keyPairIdViolation(field + "keyPairId", id);
        if (idViolation != null) {
          v.add(idViolation);
        } else if (!ids.add(id)) {
          v.add(Violation.of(field + "keyPairId", id, "a key pair id given once; this one is repeated"));
        }
        CloudFrontKey key = null;
        try {
          key = CloudFrontKey.parse(raw.privateKey(), Optional.ofNullable(raw.passphrase()));
        } catch (InvalidInputException e) {
          e.violations().forEach(x -> v.add(new Violation(field + x.field(), x.shownValue(), x.allowed())));
        }
        if (idViolation == null && key != null) {
          keys.add(new KeyPair(id, key));
        }
      }
      if (ttl == null || ttl.getSeconds() < MIN_TTL_SECONDS || ttl.getSeconds() > MAX_TTL_SECONDS || ttl.getNano() != 0) {
        v.add(Violation.of("ttlSeconds", ttl == null ? null : ttl.toString(), "whole seconds from " + MIN_TTL_SECONDS
            + " to " + MAX_TTL_SECONDS + " (7 days)"));
      }
      if (hashAlgorithm == null) {
        v.add(Violation.missing("hashAlgorithm", "SHA1 or SHA256"));
      }
      if (origin == null) {
        v.add(Violation.missing("origin", "the organization's bucket: its s3 settings"));
      }
      if (originPath == null || !originPath.isEmpty() && !originPath.matches("(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+")) {
        v.add(Violation.of("originPath", originPath, "empty, or a path beginning with '/' and not ending with '/', as"
            + " the distribution's origin settings show it, e.g. /firmware"));
      } else if (origin != null && !originPath.isEmpty() && !("/" + origin.prefix()).startsWith(originPath + "/")) {
        v.add(Violation.of("originPath", originPath, "the beginning of the bucket's prefix '" + origin.prefix()
            + "' (CloudFront adds the origin path to every request), or empty"));
      }
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      return new CloudFrontSettings(this);
    }

    private static URI endpoint(List<Violation> v, String value) {
      try {
        URI uri = new URI(value);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getRawQuery() == null
            && uri.getRawFragment() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())) {
          return uri;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      v.add(Violation.of("endpoint", value, "for tests only: http(s)://host[:port], without path or query"));
      return null;
    }
  }

  /** The key pair ids, for messages. */
  String keyPairIds() {
    return keys.stream().map(KeyPair::keyPairId).collect(Collectors.joining(", "));
  }
}
