package org.binarybackends.cloudfront;

import org.binarybackends.cloudfront.internal.SignedUrlCache;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.DirectUploads;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.s3.internal.S3Origin;
import org.binarybackends.spi.SharedNotes;

/**
 * A bucket behind a CloudFront distribution, an organization's or the platform's (see {@link
 * Front}): every storage operation is the bucket's backend's; download URLs are CloudFront signed URLs (canned policy) of the key that signs now (see
 * {@link KeyRotation}), reused from a {@link SignedUrlCache} within a step of time, so a fleet
 * downloading one binary costs one signature per step.
 *
 * <p>The S3 backend (its clients and role chain) is built on the first storage call and kept; a
 * backend that only signs — the download configuration of a configuration, whose upload configuration is that very
 * bucket — never keeps one: {@link #verify()} builds one for its probe and closes it after.
 */
final class CloudFrontBackend implements BinaryBackend {
  /** The longest URL anyone may ask for; the settings' TTL caps what is handed out. */
  static final Duration MAX_URL_TTL = Duration.ofSeconds(CloudFrontSettings.MAX_TTL_SECONDS);
  /** The longest rounding of expiries (see {@link SignedUrlCache}). */
  static final Duration CACHE_WINDOW = Duration.ofMinutes(15);
  /** How many signed URLs one organization keeps: about 1 KB each (an RSA URL and its key), 4 MB at most. */
  static final int CACHE_ENTRIES = 4096;

  final Distribution distribution;
  final Front front;
  final Clock clock;
  final SignedUrlCache cache;
  final KeyRotation rotation;
  private final String pathPrefix;
  private final Supplier<S3Origin> originFactory;
  private final Object originLock = new Object();
  private volatile S3Origin origin; // guarded by originLock when set
  private volatile boolean closed;
  /** The platform's HTTP client: verify's requests to the distribution go through it. */
  final software.amazon.awssdk.http.SdkHttpClient http;

  /**
   * @param originFactory builds the bucket's backend, which this backend then owns
   * @param cacheEntries how many signed URLs the fleet cache keeps
   */
  CloudFrontBackend(Distribution distribution, Front front, Supplier<S3Origin> originFactory, SharedNotes notes,
      Clock clock, software.amazon.awssdk.http.SdkHttpClient http, int cacheEntries,
      org.binarybackends.spi.Instrumentation meters, String type) {
    this.distribution = distribution;
    this.front = front;
    this.http = http;
    this.originFactory = originFactory;
    this.clock = clock;
    this.cache = new SignedUrlCache(CACHE_WINDOW, cacheEntries, clock, meters, type);
    this.rotation = new KeyRotation(front.notesOwner, distribution, notes, cache, clock);
    String p = distribution.urlPathPrefix(front.prefix);
    this.pathPrefix = p.isEmpty() ? "" : ObjectKey.of(p).uriPath(); // validated as a key by the bucket's settings
  }

  /** The encoded URL path before an object's key. */
  String pathPrefix() {
    return pathPrefix;
  }

  /** The key of an object of the bucket as it appears in the distribution's URLs (after {@link #pathPrefix()}). */
  ObjectKey urlKey(String objectKey) {
    return front.urlKey(objectKey);
  }

  private void checkOpen() {
    if (closed) {
      throw new BackendUnavailableException(front.owner + " (" + distribution.host + ") is closed", false, null);
    }
  }

  /** The S3 backend for storage calls: built on the first one, kept until {@link #close()}. */
  private S3Origin origin() {
    S3Origin o = origin;
    if (o != null) {
      return o;
    }
    synchronized (originLock) {
      checkOpen();
      if (origin == null) {
        origin = originFactory.get();
      }
      return origin;
    }
  }

  /** Whether it holds an S3 backend (after a storage call). */
  boolean holdsOrigin() {
    return origin != null;
  }

  @Override
  public BackendInstanceId instanceId() {
    return front.instanceId;
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    return origin().put(organization, key, content, options);
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    return origin().read(organization, key, range);
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    return origin().stat(organization, key);
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    return origin().delete(organization, key);
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    return origin().list(organization, request);
  }

  @Override
  public Optional<DirectUploads> directUploads() {
    return origin().directUploads();
  }

  /** The bucket's copier: binaries are copied into the bucket behind the distribution. */
  @Override
  public Optional<org.binarybackends.ServerSideCopy> serverSideCopyFrom(BinaryBackend source) {
    return origin().serverSideCopyFrom(source);
  }

  /** This backend, or its bucket's: a copy from a distribution reads the bucket behind it. */
  @Override
  public <T> Optional<T> unwrap(Class<T> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : origin().unwrap(type);
  }

  /**
   * A CloudFront URL of {@code key}: it expires at most {@code ttl} from now (and at most the
   * settings' TTL), and at least three quarters of that; devices asking within one step share it.
   *
   * @throws InvalidInputException for another organization, a reserved or too long key, a TTL not
   *     above zero or over 7 days, or a URL over CloudFront's 8,192 bytes
   */
  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_URL_TTL) > 0) {
      throw InvalidInputException.of("ttl", ttl == null ? null : ttl.toString(), "a duration above zero, at most "
          + MAX_URL_TTL.toDays() + " days (URLs end at the settings' ttlSeconds, " + distribution.ttl.getSeconds()
          + " s, if that is sooner)");
    }
    checkOpen();
    // the organization, the reserved records, the length; in the platform's bucket, the organization's root
    ObjectKey urlKey = urlKey(front.objectKey(organization, key));
    Duration effective = ttl.compareTo(distribution.ttl) > 0 ? distribution.ttl : ttl;
    CloudFrontSigner signer = rotation.currentFresh();
    SignedUrl url = cache.canned(signer, pathPrefix, urlKey, Map.of(), effective);
    rotation.issued(signer, url.expiresAt());
    return url;
  }

  /**
   * Puts a probe into the bucket, fetches it through the distribution signed with each key, and
   * unsigned; see {@link CloudFrontProbe}.
   */
  @Override
  public VerificationReport verify() {
    checkOpen();
    S3Origin kept = origin;
    if (kept != null) {
      return new CloudFrontProbe(this, kept).run();
    }
    try (S3Origin forTheProbe = originFactory.get()) { // a backend that only signs keeps no S3 clients
      return new CloudFrontProbe(this, forTheProbe).run();
    }
  }

  @Override
  public void close() {
    cache.close();
    synchronized (originLock) {
      if (!closed && origin != null) {
        origin.close();
      }
      closed = true;
    }
  }

  @Override
  public String toString() {
    return "CloudFrontBackend{" + distribution.baseUrl() + " signing with " + rotation.current().keyPairId()
        + ", origin " + front.instanceId + "}";
  }
}
