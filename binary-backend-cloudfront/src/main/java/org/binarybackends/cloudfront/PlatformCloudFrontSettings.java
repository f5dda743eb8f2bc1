package org.binarybackends.cloudfront;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.cloudfront.CloudFrontSettings.KeyPair;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.binarybackends.s3.PlatformBucketSettings;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.SettingsReader;

/**
 * Type {@code platform-cloudfront}: the platform's CloudFront distribution in front of the
 * platform's bucket ({@code origin}, its {@code platform-s3} settings), serving every organization's
 * default binaries: uploads, reads, listings and deletes go to the bucket; download URLs are signed
 * URLs of the distribution, {@code https://<host>/<prefix without originPath><organization>/<key>}.
 * Its key rotation state is the distribution's, kept once for the platform (not once per
 * organization), and one {@code verify()} probes it. The platform's configuration, never an
 * organization's. The distribution's fields are those of {@link CloudFrontSettings}:
 *
 * <pre>{@code
 * {"type": "platform-cloudfront", "host": "downloads.platform.example",
 *  "keys": [{"keyPairId": "K2JCJMDEHXQW5F", "privateKey": "-----BEGIN PRIVATE KEY-----\n..."}],
 *  "ttlSeconds": 3600, "originPath": "/binaries",
 *  "origin": {"type": "platform-s3", "bucket": "acme-platform-binaries", "region": "eu-west-1",
 *             "prefix": "binaries/"}}
 * }</pre>
 *
 * Immutable; no key material is ever shown.
 */
public final class PlatformCloudFrontSettings implements BackendSettings {
  static final String TYPE = "platform-cloudfront";

  private final Distribution distribution;
  private final PlatformBucketSettings origin;

  private PlatformCloudFrontSettings(Distribution distribution, PlatformBucketSettings origin) {
    this.distribution = distribution;
    this.origin = origin;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Reads the settings from JSON, reporting every violation at once (key material never shown). */
  public static PlatformCloudFrontSettings read(SettingsReader json) {
    json.skip("type");
    Builder b = builder();
    SettingsReader originJson = json.requiredObject("origin", "the platform's bucket: its platform-s3 settings object");
    if (originJson != null) {
      try {
        b.origin(PlatformBucketSettings.read(originJson));
      } catch (InvalidConfigurationException e) {
        // recorded in the shared list of violations, reported with the rest
      }
    }
    b.fields.read(json);
    return json.finish(b::build);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** The platform bucket's instance: binaries stored through the distribution are the bucket's. */
  @Override
  public BackendInstanceId instanceId() {
    return origin.instanceId();
  }

  @Override
  public boolean servesOnlyItsInstance() {
    return true;
  }

  @Override
  public boolean fronts(BackendSettings upload) {
    return upload instanceof PlatformBucketSettings s && s.equals(origin);
  }

  @Override
  public Set<String> endpointOverrides() {
    Set<String> fields = new TreeSet<>();
    distribution.endpoint.ifPresent(e -> fields.add("endpoint"));
    origin.endpointOverrides().forEach(f -> fields.add("origin." + f));
    return Collections.unmodifiableSet(fields);
  }

  public String host() {
    return distribution.host;
  }

  /** The base of every URL: {@code https://<host>}, or the test endpoint. */
  public URI baseUrl() {
    return distribution.baseUrl();
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

  /** The distribution's origin path ({@code ""} or {@code /binaries}). */
  public String originPath() {
    return distribution.originPath;
  }

  /** The platform's bucket the distribution serves. */
  public PlatformBucketSettings origin() {
    return origin;
  }

  Distribution distribution() {
    return distribution;
  }

  /** These settings as JSON for display: every private key written {@code "***"}. */
  public String toJson() {
    return json(false).toString();
  }

  /** These settings as JSON with the private keys (PKCS#8 DER, base64): reveal it only to hand it over. */
  public String toJsonWithKeys() {
    return json(true).toString();
  }

  private com.fasterxml.jackson.databind.node.ObjectNode json(boolean withKeys) {
    return distribution.json(TYPE, withKeys, origin.toJson());
  }

  @Override
  public String toString() {
    return TYPE + "{" + distribution + ", origin=" + origin + "}";
  }

  /** Builds {@link PlatformCloudFrontSettings}, validating everything at {@link #build()}; not thread-safe. */
  public static final class Builder extends Distribution.Builder<Builder> {
    private PlatformBucketSettings origin;

    private Builder() {}

    @Override
    Builder self() {
      return this;
    }

    public Builder origin(PlatformBucketSettings origin) {
      this.origin = origin;
      return this;
    }

    /**
     * Validates every field.
     *
     * @throws InvalidConfigurationException listing every violation, naming each field
     */
    public PlatformCloudFrontSettings build() {
      List<Violation> v = new ArrayList<>();
      if (origin == null) {
        v.add(Violation.missing("origin", "the platform's bucket: its platform-s3 settings"));
      }
      Distribution d = fields.build(v, origin == null ? null : origin.prefix());
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      return new PlatformCloudFrontSettings(d, origin);
    }
  }
}
