package org.binarybackends.testkit.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.testkit.LocalSts;
import org.gaul.s3proxy.AccessGrant;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An S3 server in this JVM (S3Proxy 4, on a free loopback port, storing on the filesystem so that
 * large objects do not fill the heap) that accepts exactly the credentials the testkit's
 * {@link LocalSts} issued, with their secrets, checking request signatures:
 *
 * <ul>
 *   <li>an unknown access key, or one whose session expired by the STS's clock, is refused;
 *   <li>a bucket is created for one role: the sessions of any other role get {@code AccessDenied}
 *       there, so a key of organization A cannot touch organization B's bucket.
 * </ul>
 *
 * <p>In front of it, a front door (at {@link #endpoint()}) judges presigned URLs' expiry by the STS's
 * clock, so a test can move time, and injects {@link #faults()}: S3's own error documents
 * ({@code PermanentRedirect} with {@code x-amz-bucket-region}, {@code AuthorizationHeaderMalformed},
 * KMS {@code AccessDenied}, 503 {@code SlowDown}), actions denied to one role, and connections reset in
 * the middle of a request's or a response's body.
 *
 * <p>Besides sessions, it accepts long-lived keys a test adds ({@link #addStaticIdentity}), as a
 * platform's own identity signs with.
 *
 * <p>Out of the box S3Proxy checks one identity and ignores session tokens and their expiry: tests of
 * isolation and expiry would pass whether the code under test is right or not. This class closes
 * that gap. Thread-safe; also a JUnit 5 extension that stops it after all tests.
 */
public final class EmbeddedS3 implements AutoCloseable, AfterAllCallback {
  private final S3Proxy proxy;
  private final LocalSts sts;
  private final Path root;
  private final BlobStore store;
  private final Map<String, String> bucketRoles = new ConcurrentHashMap<>();
  private final S3Faults faults = new S3Faults();
  private final Map<String, String> bucketOwners = new ConcurrentHashMap<>();
  /** Long-lived keys (not STS sessions), by access key id. */
  private final Map<String, StaticIdentity> staticIdentities = new ConcurrentHashMap<>();
  private S3FrontDoor frontDoor;

  /** A store that answers every data operation with S3's 403 AccessDenied. */
  private static final BlobStore DENY_ALL = (BlobStore) Proxy.newProxyInstance(BlobStore.class.getClassLoader(),
      new Class<?>[] {BlobStore.class}, (self, method, args) -> {
        if (method.getName().startsWith("supports")) {
          return false;
        }
        if (method.getName().equals("close") || method.getDeclaringClass() == Object.class) {
          return method.getName().equals("toString") ? "DenyAllBlobStore" : method.getName().equals("hashCode")
              ? 0 : method.getName().equals("equals") ? self == args[0] : null;
        }
        throw S3Exception.builder().statusCode(403).awsErrorDetails(AwsErrorDetails.builder()
            .errorCode("AccessDenied").errorMessage("Access Denied").build()).build();
      });

  /** A long-lived access key: its secret and the principal its requests act as. */
  private record StaticIdentity(String secretAccessKey, String principalArn) {}

  private EmbeddedS3(S3Proxy proxy, LocalSts sts, Path root, BlobStore store) {
    this.proxy = proxy;
    this.sts = sts;
    this.root = root;
    this.store = store;
  }

  /**
   * Starts a server storing under {@code root}, accepting the credentials {@code sts} issued.
   *
   * @throws IllegalStateException if it cannot start
   */
  public static EmbeddedS3 start(Path root, LocalSts sts) {
    try {
      Files.createDirectories(root);
      BlobStore store = new FlatKeyBlobStore(new FilesystemNio2BlobStore(root.toString()));
      S3Proxy proxy = S3Proxy.builder()
          .endpoint(URI.create("http://127.0.0.1:0"))
          .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "unused-identity", "unused-credential")
          .blobStore(store)
          // every assumed-role request carries x-amz-security-token, which S3Proxy would answer with 501
          .ignoreUnknownHeaders(true)
          .build();
      EmbeddedS3 s3 = new EmbeddedS3(proxy, sts, root, store);
      proxy.setBlobStoreLocator(s3::locate);
      proxy.start();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (!"STARTED".equals(proxy.getState())) { // start() may return before Jetty accepts
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start within 30 s: " + proxy.getState());
        }
        Thread.onSpinWait();
      }
      s3.frontDoor = new S3FrontDoor(proxy.getPort(), s3.faults, sts.clock(), s3::principalOf, s3.bucketOwners::get,
          (bucket, key) -> store.getBlob(software.amazon.awssdk.services.s3.model.GetObjectRequest.builder()
              .bucket(bucket).key(key).build()));
      return s3;
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the embedded S3 server", e);
    }
  }

  private java.util.Optional<String> principalOf(String accessKeyId) {
    StaticIdentity fixed = staticIdentities.get(accessKeyId);
    return fixed != null ? java.util.Optional.of(fixed.principalArn())
        : sts.identity(accessKeyId).map(LocalSts.Identity::principalArn);
  }

  private AccessGrant locate(String accessKeyId, String bucket, String key) {
    String secret;
    String principal;
    StaticIdentity fixed = staticIdentities.get(accessKeyId);
    if (fixed != null) {
      secret = fixed.secretAccessKey();
      principal = fixed.principalArn();
    } else {
      LocalSts.Identity id = sts.identity(accessKeyId).orElse(null);
      if (id == null || !sts.valid(accessKeyId)) {
        return null; // unknown or expired: S3Proxy refuses the request
      }
      secret = id.secretAccessKey();
      principal = id.principalArn();
    }
    String allowed = bucket == null ? null : bucketRoles.get(bucket);
    if (allowed != null && !allowed.equals(principal)) {
      return new AccessGrant(secret, DENY_ALL);
    }
    return new AccessGrant(secret, store);
  }

  /**
   * Accepts requests signed with a long-lived access key (the platform's own identity: an IAM
   * user's keys, not an STS session), acting as {@code principalArn}: a bucket created for that
   * principal is usable with it, and by nobody else. Lets a test tell the platform's credentials
   * from an organization's assumed role.
   */
  public void addStaticIdentity(String accessKeyId, String secretAccessKey, String principalArn) {
    staticIdentities.put(java.util.Objects.requireNonNull(accessKeyId, "accessKeyId"), new StaticIdentity(
        java.util.Objects.requireNonNull(secretAccessKey, "secretAccessKey"),
        java.util.Objects.requireNonNull(principalArn, "principalArn")));
  }

  /**
   * The endpoint to give the SDK's S3 client (with path-style access): the front door, which judges
   * presigned URLs' expiry by the local STS's clock and applies the {@link #faults()}.
   */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + frontDoor.port());
  }

  /**
   * S3Proxy itself, without the front door: no faults, presigned expiry by the wall clock. For
   * measuring speed.
   */
  public URI directEndpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /**
   * From now on (or no longer), refuses with 403 every request to a bucket, presigned or not, that
   * does not name the bucket's expected owner ({@code x-amz-expected-bucket-owner}, a header or a
   * lower-case query parameter): the library's rule that every request names it, checked from
   * outside. Off by default (a test's own inspecting client names none).
   */
  public void requireExpectedOwner(boolean required) {
    frontDoor.requireExpectedOwner = required;
  }

  /**
   * Whether a {@code CopyObject} that asks for {@code x-amz-checksum-algorithm: SHA256} is answered
   * with the copy's full-object SHA-256, as S3 answers it (computed from the bytes stored; on by
   * default), or without one, as S3Proxy and some S3-compatible stores answer.
   */
  public void answerCopyChecksums(boolean answer) {
    frontDoor.answerCopyChecksums = answer;
  }

  /** The faults the front door injects: S3 error documents, connections cut mid-body, denied actions. */
  public S3Faults faults() {
    return faults;
  }

  /** Creates {@code bucket}, owned by the account of role {@code roleArn} and usable only by its sessions. */
  public void createBucket(String bucket, String roleArn) {
    createBucket(bucket, roleArn, roleArn.split(":")[4]);
  }

  /**
   * Creates {@code bucket} owned by {@code ownerAccount} and usable only by the sessions of role
   * {@code roleArn}: a request naming another expected owner ({@code x-amz-expected-bucket-owner})
   * gets 403 {@code AccessDenied}, as S3 answers when a bucket was deleted and recreated by someone else.
   */
  public void createBucket(String bucket, String roleArn, String ownerAccount) {
    bucketOwners.put(bucket, ownerAccount);
    try {
      Files.createDirectories(root.resolve(bucket));
    } catch (IOException e) {
      throw new IllegalStateException("cannot create bucket " + bucket, e);
    }
    bucketRoles.put(bucket, roleArn);
  }

  /**
   * {@code bucket} as the origin of a CloudFront edge emulator, read through Origin Access Control.
   *
   * @param originPath the distribution's origin path, {@code ""} or e.g. {@code /firmware}
   */
  public OacOrigin cloudFrontOrigin(String bucket, String originPath) {
    return new OacOrigin(store, bucket, originPath);
  }

  @Override
  public void close() {
    if (frontDoor != null) {
      frontDoor.close();
    }
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded S3 server", e);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }
}
