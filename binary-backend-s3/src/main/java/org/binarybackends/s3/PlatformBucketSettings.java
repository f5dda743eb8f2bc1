package org.binarybackends.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.SettingsReader;

/**
 * Type {@code platform-s3}: the platform's own bucket as every organization's default storage,
 * reached with the platform's own credentials ({@link S3Platform#baseCredentials()}: no role chain,
 * no external id). Organization {@code o}'s binary {@code k} is object {@code <prefix>o/k}. The
 * platform's configuration, never an organization's: its JSON,
 *
 * <pre>{"type":"platform-s3","bucket":"acme-platform-binaries","region":"eu-west-1",
 * "prefix":"binaries/","kmsKeyArn":"arn:aws:kms:...","owner":"210987654321"}</pre>
 *
 * <p>{@code owner} (the account that must own the bucket) is the platform's account unless given;
 * {@code s3Endpoint} and {@code pathStyleAccess} are for S3-compatible stores (MinIO, Ceph). Immutable.
 */
public final class PlatformBucketSettings implements BackendSettings {
  static final String TYPE = "platform-s3";

  private final BucketName bucket;
  private final AwsRegion region;
  private final String prefix;
  private final Optional<String> owner;
  private final Optional<String> kmsKeyArn;
  private final Optional<URI> s3Endpoint;
  private final boolean pathStyleAccess;

  private PlatformBucketSettings(BucketName bucket, AwsRegion region, String prefix, Optional<String> owner,
      Optional<String> kmsKeyArn, Optional<URI> s3Endpoint, boolean pathStyleAccess) {
    this.bucket = bucket;
    this.region = region;
    this.prefix = prefix;
    this.owner = owner;
    this.kmsKeyArn = kmsKeyArn;
    this.s3Endpoint = s3Endpoint;
    this.pathStyleAccess = pathStyleAccess;
  }

  /**
   * Checks and builds the settings; {@code null} for what is optional.
   *
   * @throws InvalidConfigurationException naming every field out of range
   */
  public static PlatformBucketSettings of(String bucket, String region, String prefix, String owner, String kmsKeyArn,
      String s3Endpoint, boolean pathStyleAccess) {
    List<Violation> v = new ArrayList<>();
    BucketName b = S3Settings.collect(v, () -> BucketName.of(bucket));
    AwsRegion r = S3Settings.collect(v, () -> AwsRegion.of(region));
    String p = S3Settings.prefix(v, prefix);
    if (owner != null && !owner.matches("[0-9]{12}")) {
      v.add(Violation.of("owner", owner, "the 12-digit id of the AWS account that owns the bucket"));
    }
    Violation kms = kmsKeyArn == null ? null : RoleArn.kmsKeyArnViolation("kmsKeyArn", kmsKeyArn);
    if (kms != null) {
      v.add(kms);
    }
    URI s3 = S3Settings.endpoint(v, "s3Endpoint", s3Endpoint);
    if (!v.isEmpty()) {
      throw new InvalidConfigurationException(v);
    }
    return new PlatformBucketSettings(b, r, p, Optional.ofNullable(owner), Optional.ofNullable(kmsKeyArn),
        Optional.ofNullable(s3), pathStyleAccess);
  }

  /** Reads the settings from JSON, reporting every violation at once. */
  public static PlatformBucketSettings read(SettingsReader json) {
    json.skip("type");
    String bucket = json.requiredString("bucket", "an S3 bucket name");
    String region = json.requiredString("region", "an AWS region such as eu-west-1");
    String prefix = json.optionalString("prefix", "a key prefix ending with '/'");
    String owner = json.optionalString("owner", "the 12-digit id of the account that owns the bucket");
    String kms = json.optionalString("kmsKeyArn", "a KMS key ARN");
    String s3 = json.optionalString("s3Endpoint", "an http(s) URL");
    boolean pathStyle = json.optionalBoolean("pathStyleAccess", false);
    return json.finish(() -> of(bucket, region, prefix, owner, kms, s3, pathStyle));
  }

  /**
   * Where {@code organization}'s binaries are: {@code <prefix><organization>/}. Built from the
   * validated id only; an id starting with {@code .} is refused, so that no organization's root meets
   * the platform's own records under {@code <prefix>.binary-backends/}.
   *
   * @throws InvalidInputException for a missing id or one starting with {@code .}
   */
  public String root(OrganizationId organization) {
    if (organization == null) {
      throw InvalidInputException.of("organization", null, "an organization id");
    }
    if (organization.value().startsWith(".")) {
      throw InvalidInputException.of("organization", organization.value(), "an organization id not starting with"
          + " '.' in the platform's bucket (its records are under " + prefix + S3Objects.RESERVED + ")");
    }
    return prefix + organization.value() + "/";
  }

  /**
   * The key of {@code organization}'s binary {@code key} in the bucket: what the backend stores it
   * under, and what a distribution in front of the bucket serves.
   *
   * @throws InvalidInputException as {@link #root} does, or for a key under the library's reserved
   *     {@code .binary-backends/} or longer than S3's 1,024 bytes with the root
   */
  public String objectKey(OrganizationId organization, ObjectKey key) {
    return S3Objects.objectKey(root(organization), key);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code platform-s3{bucket, prefix, region}}: where every organization's default binaries are. */
  @Override
  public BackendInstanceId instanceId() {
    Map<String, String> attributes = new TreeMap<>();
    attributes.put("bucket", bucket.value());
    attributes.put("region", region.id());
    attributes.put("prefix", prefix);
    return BackendInstanceId.of(TYPE, attributes);
  }

  @Override
  public java.util.Set<String> endpointOverrides() {
    return s3Endpoint.isPresent() ? java.util.Set.of("s3Endpoint") : java.util.Set.of();
  }

  public BucketName bucket() {
    return bucket;
  }

  public AwsRegion region() {
    return region;
  }

  public String prefix() {
    return prefix;
  }

  /** The account that must own the bucket, if not the platform's. */
  public Optional<String> owner() {
    return owner;
  }

  public Optional<String> kmsKeyArn() {
    return kmsKeyArn;
  }

  public Optional<URI> s3Endpoint() {
    return s3Endpoint;
  }

  public boolean pathStyleAccess() {
    return pathStyleAccess;
  }

  /** The JSON these settings are read from (and {@link #read} reads back to equal settings); no secret. */
  public String toJson() {
    com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("type", TYPE).put("bucket", bucket.value()).put("region", region.id());
    if (!prefix.isEmpty()) {
      o.put("prefix", prefix);
    }
    owner.ifPresent(x -> o.put("owner", x));
    kmsKeyArn.ifPresent(x -> o.put("kmsKeyArn", x));
    s3Endpoint.ifPresent(x -> o.put("s3Endpoint", x.toString()));
    if (pathStyleAccess) {
      o.put("pathStyleAccess", true);
    }
    return o.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlatformBucketSettings && toJson().equals(((PlatformBucketSettings) o).toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return TYPE + "{bucket=" + bucket + ", prefix=" + prefix + ", region=" + region + "}";
  }
}
