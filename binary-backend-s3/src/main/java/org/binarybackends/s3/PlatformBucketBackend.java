package org.binarybackends.s3;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PresignedPart;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.UploadedPart;
import org.binarybackends.VerificationReport;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The platform's own bucket, serving every organization: each organization's objects are the
 * {@link S3Objects} under {@code <prefix><organization>/}, views on one bucket object, one client
 * and one pool of part threads, so every guarantee of the {@code s3} backend (the multipart path,
 * digests, ranged reads, presigning with the true expiry, direct uploads, records) is the same code.
 *
 * <p>Isolation: a call's root is built from the validated organization id only (its characters
 * exclude {@code /}, so one organization's root is never a prefix of another's); an id starting with
 * {@code .} is refused, so no organization's root meets the platform's own records under {@code
 * <prefix>.binary-backends/}. Thread-safe.
 */
final class PlatformBucketBackend implements org.binarybackends.s3.internal.S3Origin {
  private final PlatformBucketSettings settings;
  private final S3Objects platform;
  private final AwsCredentialsProvider credentials;
  private final ConcurrentHashMap<OrganizationId, S3Objects> organizations = new ConcurrentHashMap<>();
  private final DirectUploads directUploads = new Direct();

  /** Whose objects the platform's own records (probes) are, for messages: no organization's. */
  private static final OrganizationId PLATFORM = OrganizationId.of("platform-bucket");

  PlatformBucketBackend(PlatformBucketSettings settings, S3Platform platform, S3Transfer transfer, Clock clock) {
    this.settings = settings;
    this.credentials = platform.baseCredentials();
    software.amazon.awssdk.http.SdkHttpClient http = platform.guardedHttpClient();
    String owner = settings.owner().orElse(platform.accountId());
    S3Failures failures = new S3Failures(settings.bucket(), settings.prefix(), settings.region(),
        "the platform's identity (" + platform.principalArn() + ")", settings.region().partition(), owner,
        "the platform's", settings.kmsKeyArn());
    S3Bucket bucket = new S3Bucket(settings.bucket(), owner, settings.kmsKeyArn(), settings.region(),
        settings.s3Endpoint(), settings.pathStyleAccess(), settings.instanceId(), failures, credentials, http, platform);
    this.platform = new S3Objects(bucket, PLATFORM, settings.prefix(), settings.region(), settings.instanceId(), http,
        this::signingCredentials, transfer, clock);
  }

  /**
   * The platform's credentials to presign with: a session (instance profile, IRSA) carries its end,
   * which a presigned URL does not outlive and whose expiry is reported; long-lived keys have none.
   */
  private software.amazon.awssdk.identity.spi.AwsCredentialsIdentity signingCredentials(Duration ttl) {
    try {
      return credentials.resolveCredentials();
    } catch (SdkException e) {
      throw new org.binarybackends.BackendUnavailableException("the platform's credentials do not resolve: "
          + e.getMessage(), true, e);
    }
  }

  /** The objects of {@code organization}, checked: under {@code <prefix><organization>/}. */
  private S3Objects of(OrganizationId organization) {
    if (platform.closed()) {
      platform.check(PLATFORM); // says it is closed
    }
    String root = settings.root(organization);
    return organizations.computeIfAbsent(organization, o -> platform.view(o, root));
  }

  @Override
  public BackendInstanceId instanceId() {
    return settings.instanceId();
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    return of(organization).put(key, content, options);
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    return of(organization).read(key, range);
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    return of(organization).stat(key);
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    return of(organization).delete(key);
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    return of(organization).list(request);
  }

  /**
   * A presigned GET, signed with the platform's credentials: it works until the earlier of {@code
   * ttl} and the end of the session that signed it, and says so.
   */
  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    return of(organization).signDownloadUrl(key, ttl);
  }

  /**
   * Removes the organization's whole root, {@code <prefix><organization>/}: its uploads in flight,
   * every binary and the records beside them, in batches of a thousand keys; nothing of another
   * organization (no root is a prefix of another's).
   */
  @Override
  public org.binarybackends.OrganizationRemoval removeOrganization(OrganizationId organization, boolean dryRun,
      java.util.function.Consumer<org.binarybackends.ListedBinary> each) {
    java.util.Objects.requireNonNull(each, "each");
    return of(organization).removeAll(dryRun, each);
  }

  @Override
  public Optional<DirectUploads> directUploads() {
    return Optional.of(directUploads);
  }

  /** Direct uploads of the organization each call names, through its objects. */
  private final class Direct implements DirectUploads {
    @Override
    public DirectUpload start(OrganizationId organization, ObjectKey key, long size, Sha256Digest sha256) {
      return of(organization).directUploads().start(organization, key, size, sha256);
    }

    @Override
    public PresignedPart presignPart(DirectUpload upload, int partNumber, Sha256Digest partSha256, Duration ttl) {
      return uploads(upload).presignPart(upload, partNumber, partSha256, ttl);
    }

    @Override
    public java.util.List<UploadedPart> uploadedParts(DirectUpload upload) {
      return uploads(upload).uploadedParts(upload);
    }

    @Override
    public StoredBinary complete(DirectUpload upload) {
      return uploads(upload).complete(upload);
    }

    @Override
    public void abort(DirectUpload upload) {
      uploads(upload).abort(upload);
    }

    private DirectUploads uploads(DirectUpload upload) {
      if (upload == null) {
        throw InvalidInputException.of("upload", null, "a DirectUpload started by this backend");
      }
      return of(upload.location().organization()).directUploads();
    }
  }

  /** A probe under the platform's records, {@code <prefix>.binary-backends/probes/}: no organization's. */
  @Override
  public String putProbe(byte[] content) {
    platform.check(PLATFORM); // refused once closed
    return platform.putProbe(content);
  }

  @Override
  public void deleteProbe(String key) {
    platform.check(PLATFORM);
    platform.deleteProbe(key);
  }

  @Override
  public VerificationReport verify() {
    return new S3Probe(platform, "credentials", () -> {
      try {
        AwsCredentials c = credentials.resolveCredentials();
        return "the platform's credentials resolve (access key " + c.accessKeyId().substring(0,
            Math.min(4, c.accessKeyId().length())) + "…" + c.expirationTime().map(t -> ", session until " + t)
            .orElse(", long-lived") + ")";
      } catch (SdkException e) {
        throw new org.binarybackends.BackendUnavailableException("the platform's credentials do not resolve: "
            + e.getMessage(), true, e);
      }
    }, "the platform's identity", settings.region().partition()).run();
  }

  @Override
  public void close() {
    platform.close();
  }

  @Override
  public String toString() {
    return "PlatformBucketBackend{" + settings + "}";
  }
}
