package org.binarybackends.s3;

import java.util.Set;
import java.util.TreeSet;
import java.util.Collections;
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
 * One organization's bucket, as registered: organization, bucket, region, the customer's role, the
 * short role name of the platform-side role, and optionally a key prefix, a KMS key for SSE-KMS, and
 * (for S3-compatible stores and tests) S3 and STS endpoint overrides with path-style access. Every
 * field is validated by AWS's rules at once and every violation is reported together; nothing here
 * calls AWS. Immutable.
 *
 * <p>JSON: {@code {"type":"s3","organization":"...","bucket":"...","region":"eu-west-1",
 * "roleArn":"arn:aws:iam::123456789012:role/uploads","roleName":"uploads","prefix":"firmware/",
 * "kmsKeyArn":"arn:aws:kms:...","s3Endpoint":"http://...","stsEndpoint":"http://...",
 * "pathStyleAccess":true}}; the platform-wide part comes from {@link S3Platform}.
 */
public final class S3Settings implements BackendSettings {
  static final String TYPE = "s3";

  private final OrganizationId organization;
  private final BucketName bucket;
  private final AwsRegion region;
  private final RoleArn roleArn;
  private final String roleName;
  private final String prefix;
  private final Optional<String> kmsKeyArn;
  private final Optional<URI> s3Endpoint;
  private final Optional<URI> stsEndpoint;
  private final boolean pathStyleAccess;

  private S3Settings(OrganizationId organization, BucketName bucket, AwsRegion region, RoleArn roleArn, String roleName,
      String prefix, Optional<String> kmsKeyArn, Optional<URI> s3Endpoint, Optional<URI> stsEndpoint, boolean pathStyle) {
    this.organization = organization;
    this.bucket = bucket;
    this.region = region;
    this.roleArn = roleArn;
    this.roleName = roleName;
    this.prefix = prefix;
    this.kmsKeyArn = kmsKeyArn;
    this.s3Endpoint = s3Endpoint;
    this.stsEndpoint = stsEndpoint;
    this.pathStyleAccess = pathStyle;
  }

  /**
   * Validates every field and builds the settings; {@link #builder()} names them.
   *
   * @throws InvalidConfigurationException listing every violation, each naming its field and rule
   */
  public static S3Settings of(String organization, String bucket, String region, String roleArn, String roleName,
      String prefix, String kmsKeyArn, String s3Endpoint, String stsEndpoint, boolean pathStyleAccess) {
    List<Violation> v = new ArrayList<>();
    OrganizationId org = null;
    try {
      org = OrganizationId.of(organization);
    } catch (InvalidInputException e) {
      // the same rules, named as the JSON names the field
      e.violations().forEach(x -> v.add(new Violation("organization", x.shownValue(), x.allowed())));
    }
    BucketName b = collect(v, () -> BucketName.of(bucket));
    AwsRegion r = collect(v, () -> AwsRegion.of(region));
    RoleArn role = collect(v, () -> RoleArn.parse(roleArn));
    if (role != null && r != null) {
      collect(v, () -> role.requireSamePartitionAs(r));
    }
    v.addAll(PlatformRole.roleNameViolations(roleName));
    String p = prefix(v, prefix);
    Violation kms = kmsKeyArn == null ? null : RoleArn.kmsKeyArnViolation("kmsKeyArn", kmsKeyArn);
    if (kms != null) {
      v.add(kms);
    }
    URI s3 = endpoint(v, "s3Endpoint", s3Endpoint);
    URI sts = endpoint(v, "stsEndpoint", stsEndpoint);
    if (!v.isEmpty()) {
      throw new InvalidConfigurationException(v);
    }
    return new S3Settings(org, b, r, role, roleName, p, Optional.ofNullable(kmsKeyArn), Optional.ofNullable(s3),
        Optional.ofNullable(sts), pathStyleAccess);
  }

  /** A builder: every field by name, validated together by {@link Builder#build()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings, to change some of them. */
  public Builder toBuilder() {
    return new Builder().organization(organization.value()).bucket(bucket.value()).region(region.id())
        .roleArn(roleArn.toString()).roleName(roleName).prefix(prefix).kmsKeyArn(kmsKeyArn.orElse(null))
        .s3Endpoint(s3Endpoint.map(URI::toString).orElse(null)).stsEndpoint(stsEndpoint.map(URI::toString).orElse(null))
        .pathStyleAccess(pathStyleAccess);
  }

  /**
   * These settings as the JSON {@code register} takes (and {@link #read} reads back to equal
   * settings). They hold no secret: the customer's role is reached through the platform's.
   */
  public String toJson() {
    com.fasterxml.jackson.databind.node.ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper()
        .createObjectNode().put("type", TYPE).put("organization", organization.value()).put("bucket", bucket.value())
        .put("region", region.id()).put("roleArn", roleArn.toString()).put("roleName", roleName);
    if (!prefix.isEmpty()) {
      o.put("prefix", prefix);
    }
    kmsKeyArn.ifPresent(k -> o.put("kmsKeyArn", k));
    s3Endpoint.ifPresent(u -> o.put("s3Endpoint", u.toString()));
    stsEndpoint.ifPresent(u -> o.put("stsEndpoint", u.toString()));
    if (pathStyleAccess) {
      o.put("pathStyleAccess", true);
    }
    return o.toString();
  }

  /** {@link #toJson()} as the settings {@code register} takes. */
  public org.binarybackends.activation.SettingsJson toSettingsJson() {
    return org.binarybackends.activation.SettingsJson.of(toJson());
  }

  /** Builds {@link S3Settings}; not thread-safe. */
  public static final class Builder {
    private String organization;
    private String bucket;
    private String region;
    private String roleArn;
    private String roleName;
    private String prefix;
    private String kmsKeyArn;
    private String s3Endpoint;
    private String stsEndpoint;
    private boolean pathStyleAccess;

    private Builder() {}

    /** The organization whose bucket it is (required). */
    public Builder organization(String organization) {
      this.organization = organization;
      return this;
    }

    /** The bucket's name (required). */
    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /** The bucket's region, e.g. {@code eu-west-1} (required). */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /** The customer's role, which trusts the platform-side role (required). */
    public Builder roleArn(String roleArn) {
      this.roleArn = roleArn;
      return this;
    }

    /** The short name of the platform-side role, 1 to 10 characters (required). */
    public Builder roleName(String roleName) {
      this.roleName = roleName;
      return this;
    }

    /** A key prefix ending with {@code /}; none by default. */
    public Builder prefix(String prefix) {
      this.prefix = prefix;
      return this;
    }

    /** A KMS key for SSE-KMS; S3's default encryption otherwise. */
    public Builder kmsKeyArn(String kmsKeyArn) {
      this.kmsKeyArn = kmsKeyArn;
      return this;
    }

    /** For S3-compatible stores and tests: the S3 endpoint. */
    public Builder s3Endpoint(String url) {
      this.s3Endpoint = url;
      return this;
    }

    /** For tests: the STS endpoint. */
    public Builder stsEndpoint(String url) {
      this.stsEndpoint = url;
      return this;
    }

    /** For S3-compatible stores and tests: path-style requests ({@code http://host/bucket/key}). */
    public Builder pathStyleAccess(boolean pathStyle) {
      this.pathStyleAccess = pathStyle;
      return this;
    }

    /**
     * Validates every field and builds.
     *
     * @throws InvalidConfigurationException listing every violation, each naming its field and rule
     */
    public S3Settings build() {
      return of(organization, bucket, region, roleArn, roleName, prefix, kmsKeyArn, s3Endpoint, stsEndpoint,
          pathStyleAccess);
    }
  }

  /** Reads the settings from JSON, reporting every violation at once. */
  public static S3Settings read(SettingsReader json) {
    json.skip("type");
    String organization = json.requiredString("organization", "the organization id");
    String bucket = json.requiredString("bucket", "an S3 bucket name");
    String region = json.requiredString("region", "an AWS region such as eu-west-1");
    String roleArn = json.requiredString("roleArn", "the customer's role ARN");
    String roleName = json.requiredString("roleName", "1 to 10 characters");
    String prefix = json.optionalString("prefix", "a key prefix ending with '/'");
    String kms = json.optionalString("kmsKeyArn", "a KMS key ARN");
    String s3 = json.optionalString("s3Endpoint", "an http(s) URL");
    String sts = json.optionalString("stsEndpoint", "an http(s) URL");
    boolean pathStyle = json.optionalBoolean("pathStyleAccess", false);
    return json.finish(() -> of(organization, bucket, region, roleArn, roleName, prefix, kms, s3, sts, pathStyle));
  }

  interface Check<T> {
    T get();
  }

  /** A key prefix: none, or a valid object key ending with {@code /}; what is wrong goes to {@code v}. */
  static String prefix(List<Violation> v, String prefix) {
    String p = prefix == null ? "" : prefix;
    if (!p.isEmpty()) {
      if (!p.endsWith("/")) {
        v.add(Violation.of("prefix", p, "a key prefix ending with '/', e.g. firmware/"));
      }
      collect(v, () -> ObjectKey.of(p));
    }
    return p;
  }

  static <T> T collect(List<Violation> v, Check<T> check) {
    try {
      return check.get();
    } catch (InvalidInputException e) {
      v.addAll(e.violations());
      return null;
    }
  }

  static URI endpoint(List<Violation> v, String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      URI uri = new URI(value);
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (java.net.URISyntaxException e) {
      // reported below
    }
    v.add(Violation.of(field, value, "an absolute http or https URL, e.g. http://127.0.0.1:9000"));
    return null;
  }

  /**
   * The key of {@code organization}'s binary {@code key} in the bucket, prefix included: what the S3
   * backend stores it under, and what a distribution in front of the bucket serves.
   *
   * @throws InvalidInputException for another organization than the bucket's, a key under the
   *     library's reserved {@code .binary-backends/}, or one longer than S3's 1,024 bytes with the prefix
   */
  public String objectKey(OrganizationId organization, ObjectKey key) {
    if (organization == null || !organization.equals(this.organization)) {
      throw InvalidInputException.of("organization", organization == null ? null : organization.value(),
          "the organization whose bucket this is, " + this.organization.value());
    }
    return S3Objects.objectKey(prefix, key);
  }

  @Override
  public String type() {
    return TYPE;
  }

  /** {@code s3{bucket, prefix, region}}: where the bytes are, whatever role reaches them. */
  @Override
  public BackendInstanceId instanceId() {
    Map<String, String> attributes = new TreeMap<>();
    attributes.put("bucket", bucket.value());
    attributes.put("region", region.id());
    attributes.put("prefix", prefix);
    return BackendInstanceId.of(TYPE, attributes);
  }

  public OrganizationId organization() {
    return organization;
  }

  /** The {@link #organization()}: the activator registers these settings for it only. */
  @Override
  public Optional<OrganizationId> servedOrganization() {
    return Optional.of(organization);
  }

  /** {@code s3Endpoint} and {@code stsEndpoint}, where set: allowed only by the platform's policy. */
  @Override
  public Set<String> endpointOverrides() {
    Set<String> fields = new TreeSet<>();
    s3Endpoint.ifPresent(e -> fields.add("s3Endpoint"));
    stsEndpoint.ifPresent(e -> fields.add("stsEndpoint"));
    return Collections.unmodifiableSet(fields);
  }

  public BucketName bucket() {
    return bucket;
  }

  public AwsRegion region() {
    return region;
  }

  public RoleArn roleArn() {
    return roleArn;
  }

  public String roleName() {
    return roleName;
  }

  public String prefix() {
    return prefix;
  }

  public Optional<String> kmsKeyArn() {
    return kmsKeyArn;
  }

  public Optional<URI> s3Endpoint() {
    return s3Endpoint;
  }

  public Optional<URI> stsEndpoint() {
    return stsEndpoint;
  }

  public boolean pathStyleAccess() {
    return pathStyleAccess;
  }

  @Override
  public String toString() {
    return "S3Settings{" + organization + ", " + instanceId() + ", role=" + roleArn + ", roleName=" + roleName
        + kmsKeyArn.map(k -> ", kms=" + k).orElse("") + s3Endpoint.map(e -> ", s3Endpoint=" + e).orElse("") + "}";
  }
}
