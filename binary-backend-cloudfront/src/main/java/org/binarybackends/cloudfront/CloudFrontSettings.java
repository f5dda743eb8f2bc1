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

  private final Distribution distribution;
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

  private CloudFrontSettings(Distribution distribution, S3Settings origin) {
    this.distribution = distribution;
    this.origin = origin;
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
    b.fields.read(json);
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
    return distribution.host;
  }

  /** The base of every URL: {@code https://<host>}, or the test endpoint. */
  public URI baseUrl() {
    return distribution.baseUrl();
  }

  /** The test endpoint replacing {@code https://<host>}, if one is set. */
  public Optional<URI> endpoint() {
    return distribution.endpoint;
  }

  /** The key pairs, oldest first. */
  public List<KeyPair> keys() {
    return distribution.keys;
  }

  /** The longest a URL lives. */
  public Duration ttl() {
    return distribution.ttl;
  }

  public HashAlgorithm hashAlgorithm() {
    return distribution.hashAlgorithm;
  }

  /** The distribution's origin path ({@code ""} or {@code /firmware}). */
  public String originPath() {
    return distribution.originPath;
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
    distribution.endpoint.ifPresent(e -> fields.add("endpoint"));
    origin.endpointOverrides().forEach(f -> fields.add("origin." + f));
    return Collections.unmodifiableSet(fields);
  }

  /** The path of URLs before an object's key: the bucket's prefix without the origin path. */
  String urlPathPrefix() {
    return distribution.urlPathPrefix(origin.prefix());
  }

  /** The distribution's part of these settings. */
  Distribution distribution() {
    return distribution;
  }

  @Override
  public String toString() {
    return "CloudFrontSettings{" + distribution + ", origin=" + origin + "}";
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
    return distribution.json(TYPE, withKeys, origin.toJson());
  }

  /** Builds {@link CloudFrontSettings}, validating everything at {@link #build()}; not thread-safe. */
  public static final class Builder extends Distribution.Builder<Builder> {
    private S3Settings origin;

    private Builder() {}

    @Override
    Builder self() {
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
      if (origin == null) {
        v.add(Violation.missing("origin", "the organization's bucket: its s3 settings"));
      }
      Distribution d = fields.build(v, origin == null ? null : origin.prefix());
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      return new CloudFrontSettings(d, origin);
    }
  }

  /** The key pair ids, for messages. */
  String keyPairIds() {
    return distribution.keyPairIds();
  }
}
