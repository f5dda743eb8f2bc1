package org.binarybackends.s3;

import org.binarybackends.s3.internal.S3Origin;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;

/**
 * One organization's bucket through its role chain: a thin facade that checks each call is for
 * that organization and hands it to its {@link S3Objects} (where the layout, the multipart path and
 * the records are). Every request names the bucket's expected owner (the customer role's account)
 * and runs on the platform's shared HTTP client with this organization's own credentials.
 */
final class S3Backend implements S3Origin {
  /** See {@link S3Bucket#SENDS}. */
  static final int SENDS = S3Bucket.SENDS;

  final S3Settings settings;
  /** Its objects; every request goes through them. */
  final S3Objects objects;
  private final RoleChain chain;

  S3Backend(S3Settings settings, S3Platform platform, S3Transfer transfer, Clock clock) {
    this(settings, platform, transfer, clock, org.binarybackends.spi.Instrumentation.none());
  }

  S3Backend(S3Settings settings, S3Platform platform, S3Transfer transfer, Clock clock,
      org.binarybackends.spi.Instrumentation meters) {
    this.settings = settings;
    // every request with a body (parts, puts, AssumeRole) is aborted if it stalls: see StallGuard
    software.amazon.awssdk.http.SdkHttpClient http = platform.guardedHttpClient();
    PlatformRole platformRole = PlatformRole.of(settings.organization(), settings.roleName(), platform.accountId());
    this.chain = new RoleChain(settings.organization(), platformRole, settings.roleArn(), platform.stsRegion(),
        platform.baseCredentials(), http, settings.stsEndpoint(), clock, platform.overrides(), meters);
    S3Bucket bucket = new S3Bucket(settings, chain.credentials(), http, platform);
    this.objects = new S3Objects(bucket, settings.organization(), settings.prefix(), settings.region(),
        settings.instanceId(), http, chain::credentialsLasting, transfer, clock);
  }

  RoleChain chain() {
    return chain;
  }

  @Override
  public BackendInstanceId instanceId() {
    return objects.instanceId();
  }

  private void check(OrganizationId organization) {
    objects.check(organization);
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    check(organization);
    return objects.put(key, content, options);
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    check(organization);
    return objects.read(key, range);
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    check(organization);
    return objects.stat(key);
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    check(organization);
    return objects.delete(key);
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    check(organization);
    return objects.list(request);
  }

  /**
   * A presigned GET. The URL works until the earlier of {@code ttl} and the end of the session that
   * signed it (a presigned URL dies with its credentials; sessions last at most an hour under role
   * chaining): when the cached session would end first, a fresh one is assumed, and the expiry
   * reported is the real one, never later.
   */
  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    check(organization);
    return objects.signDownloadUrl(key, ttl);
  }

  @Override
  public Optional<org.binarybackends.DirectUploads> directUploads() {
    return Optional.of(objects.directUploads());
  }

  /**
   * Server-side copies from another organization bucket's backend (through the library's wrappers)
   * reached as this one is: the same organization and customer role on the same S3 endpoint. This
   * backend's sessions are that role's, so they read the source as its own backend does; whether
   * the role's policy still allows the source bucket is told by the first copy ({@link
   * org.binarybackends.AccessDeniedException}: the caller copies through itself). Two roles are two
   * identities: no copy is offered, rather than one tried and refused in the customer's audit log.
   */
  @Override
  public Optional<org.binarybackends.ServerSideCopy> serverSideCopyFrom(org.binarybackends.BinaryBackend source) {
    java.util.Objects.requireNonNull(source, "source");
    return source.unwrap(S3Backend.class).filter(s -> s != this && reachedAsThis(s.settings))
        .map(s -> new S3ServerSideCopy(s.objects, objects));
  }

  private boolean reachedAsThis(S3Settings other) {
    return settings.organization().equals(other.organization()) && settings.roleArn().equals(other.roleArn())
        && settings.s3Endpoint().equals(other.s3Endpoint());
  }

  /** The settings of the bucket. */
  public S3Settings settings() {
    return settings;
  }

  @Override
  public String putProbe(byte[] content) {
    check(settings.organization());
    return objects.putProbe(content);
  }

  @Override
  public void deleteProbe(String key) {
    check(settings.organization());
    objects.deleteProbe(key);
  }

  @Override
  public VerificationReport verify() {
    if (objects.closed()) {
      throw new BackendUnavailableException("the S3 backend of " + settings.organization() + " is closed", false, null);
    }
    return S3Probe.ofRoleChain(objects, chain, settings).run();
  }

  @Override
  public void close() {
    objects.close();
    chain.close();
  }

  @Override
  public String toString() {
    return "S3Backend{" + settings.organization() + ", " + instanceId() + "}";
  }
}
