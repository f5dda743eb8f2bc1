package org.binarybackends.s3;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.ContentReadException;
import org.binarybackends.spi.CountingInputStream;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.RangeNotSatisfiableException;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.s3.S3Failures.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The objects of one organization under a root in a bucket, and everything done with them: puts
 * (single, or multipart with per-part SHA-256 and the whole binary's SHA-256 checked before
 * completing), ranged reads, stat, delete, listing, presigned requests, direct uploads, the library's
 * records and verification probes. Every request goes through one {@link S3Bucket}. The S3 backend
 * is a thin facade over it (its organization's bucket through the role chain); the platform's own
 * bucket (one root per organization) reuses it as is.
 *
 * <p>Layout: binary {@code k} is object {@code <root>k}. Under {@code <root>.binary-backends/}
 * the library keeps its records (never listed; keys there are refused): the SHA-256 of a binary
 * uploaded in parts whose digest was not known in advance ({@code digests/<token>}, named by the
 * object's {@code x-amz-meta-digest-record}), direct uploads' staging objects and verification
 * probes. A binary whose digest is known before its object is created (every single PUT, and a
 * multipart upload given the expected digest, which is checked before completing) carries it as
 * {@code x-amz-meta-sha256} instead. Thread-safe.
 */
final class S3Objects implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(S3Objects.class);
  /** User metadata: the binary's SHA-256 (hex), when known before its object was created. */
  static final String SHA256_METADATA = "sha256";
  /** User metadata: the token naming the digest record of a binary whose SHA-256 came at the end. */
  static final String RECORD_METADATA = "digest-record";
  /** Under the prefix, the library's own records. */
  static final String RESERVED = ".binary-backends/";
  /** S3's limit for a presigned URL. */
  static final Duration MAX_URL_TTL = Duration.ofDays(7);
  private static final String OCTETS = "application/octet-stream";

  /** The bucket every request goes through: client, name, expected owner, encryption, diagnosis. */
  final S3Bucket bucket;
  final S3Client s3;
  /** The platform's HTTP client, for the requests verify makes outside the SDK's clients. */
  final software.amazon.awssdk.http.SdkHttpClient http;
  final S3Failures failures;
  final S3Transfer transfer;
  final String owner;
  final ExecutorService parts;
  final Clock clock;
  private final BackendInstanceId instanceId;
  /** Whose objects these are. */
  final OrganizationId organization;
  /** Where they are in the bucket: every object key starts with it. */
  final String root;
  final AwsRegion region;
  /** Credentials lasting a given time if the source allows (shorter otherwise), to presign with. */
  private final java.util.function.Function<Duration, AwsCredentialsIdentity> signingCredentials;
  private final S3DirectUploads directUploads = new S3DirectUploads(this);
  private final AtomicBoolean closed;
  private final AtomicBoolean abortRefusalReported;
  private final AtomicBoolean uncheckedChecksumsReported;
  private final AtomicBoolean uncheckedCopiesReported;
  private final AtomicBoolean copiesConfirmed;
  /** Whether these are another's objects' view ({@link #view}): the bucket and threads are not its to close. */
  private final boolean view;
  /**
   * Removes the digest records of replaced versions, a while after (readers may still be opening
   * them): one daemon thread for every organization's backend, not one each.
   */
  private static final ScheduledExecutorService RETIRED = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bb-s3-retired-records");
    t.setDaemon(true);
    return t;
  });
  /** This backend's records waiting for {@link #RETIRED}, by token. */
  private final Map<String, java.util.concurrent.ScheduledFuture<?>> retiring;
  /** How long a replaced version's digest record is kept for readers that opened that version. */
  static final Duration RECORD_GRACE = Duration.ofSeconds(60);

  /**
   * @param bucket the bucket, closed with these objects
   * @param http the HTTP client of the bucket's requests, for those verify makes outside the SDK
   * @param signingCredentials credentials lasting a given time if their source allows, to presign with
   */
  S3Objects(S3Bucket bucket, OrganizationId organization, String root, AwsRegion region, BackendInstanceId instanceId,
      software.amazon.awssdk.http.SdkHttpClient http,
      java.util.function.Function<Duration, AwsCredentialsIdentity> signingCredentials, S3Transfer transfer, Clock clock) {
    this.bucket = bucket;
    this.organization = organization;
    this.root = root;
    this.region = region;
    this.instanceId = instanceId;
    this.http = http;
    this.signingCredentials = signingCredentials;
    this.transfer = transfer;
    this.clock = clock;
    this.s3 = bucket.s3;
    this.owner = bucket.owner;
    this.failures = bucket.failures();
    this.closed = new AtomicBoolean();
    this.abortRefusalReported = new AtomicBoolean();
    this.uncheckedChecksumsReported = new AtomicBoolean();
    this.uncheckedCopiesReported = new AtomicBoolean();
    this.copiesConfirmed = new AtomicBoolean();
    this.retiring = new java.util.concurrent.ConcurrentHashMap<>();
    this.view = false;
    AtomicInteger threads = new AtomicInteger();
    // Part uploads of every put of this organization; each put bounds its own parts in flight.
    this.parts = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "bb-s3-parts-" + organization.value() + "-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  private S3Objects(S3Objects of, OrganizationId organization, String root) {
    this.bucket = of.bucket;
    this.organization = organization;
    this.root = root;
    this.region = of.region;
    this.instanceId = of.instanceId;
    this.http = of.http;
    this.signingCredentials = of.signingCredentials;
    this.transfer = of.transfer;
    this.clock = of.clock;
    this.s3 = of.s3;
    this.owner = of.owner;
    this.failures = of.failures;
    this.parts = of.parts;
    this.closed = of.closed;
    this.abortRefusalReported = of.abortRefusalReported;
    this.uncheckedChecksumsReported = of.uncheckedChecksumsReported;
    this.uncheckedCopiesReported = of.uncheckedCopiesReported;
    this.copiesConfirmed = of.copiesConfirmed;
    this.retiring = of.retiring;
    this.view = true;
  }

  /**
   * The objects of {@code organization} under {@code root} of the same bucket, on the same client,
   * threads and records (the platform's bucket holds every organization's under a root of its own):
   * closed with these.
   */
  S3Objects view(OrganizationId organization, String root) {
    return new S3Objects(this, organization, root);
  }

  BackendInstanceId instanceId() {
    return instanceId;
  }

  // ---- names ----

  boolean closed() {
    return closed.get();
  }

  /** Refuses a call once closed, or for another organization than these objects'. */
  void check(OrganizationId organization) {
    if (closed.get()) {
      throw new BackendUnavailableException("the S3 backend of " + this.organization + " (" + instanceId
          + ") is closed", false, null);
    }
    if (organization == null || !organization.equals(this.organization)) {
      throw InvalidInputException.of("organization", organization == null ? null : organization.value(),
          "the organization whose bucket this is, " + this.organization.value());
    }
  }

  /** The object key of {@code key}. */
  String objectKey(ObjectKey key) {
    return objectKey(root, key);
  }

  /**
   * The object key of {@code key} under {@code root}: keys under the library's records are refused,
   * and so is a key too long for S3 together with the root.
   */
  static String objectKey(String root, ObjectKey key) {
    if (key == null) {
      throw InvalidInputException.of("key", null, "an object key");
    }
    if (key.value().startsWith(RESERVED)) {
      throw InvalidInputException.of("key", key.value(), "a key not under " + RESERVED + " (the library's records)");
    }
    String full = root + key.value();
    int bytes = full.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > ObjectKey.MAX_UTF8_BYTES) {
      throw InvalidInputException.of("key", key.value(), "at most " + ObjectKey.MAX_UTF8_BYTES
          + " UTF-8 bytes together with the prefix '" + root + "' (S3's limit; this is " + bytes + ")");
    }
    return full;
  }

  String recordKey(String token) {
    return root + RESERVED + "digests/" + token;
  }

  /** Where the library keeps its records of these objects. */
  String reserved(String kind) {
    return root + RESERVED + kind + "/";
  }

  StoredBinary stored(ObjectKey key, long size, Sha256Digest digest, Instant lastModified) {
    return new StoredBinary(new BinaryLocation(instanceId, organization, key), size, digest,
        lastModified.truncatedTo(ChronoUnit.SECONDS));
  }

  // ---- calls ----

  /** Runs one S3 call, turning its failure into what a caller can act on. */
  <T> T call(Operation op, Supplier<T> request) {
    return bucket.call(op, request);
  }

  /** See {@link S3Bucket#send}. */
  static final int SENDS = S3Bucket.SENDS;

  <T> T send(Operation op, Supplier<T> request) {
    return bucket.send(op, request);
  }

  BinaryBackendException diagnose(Operation op, Exception e) {
    return bucket.diagnose(op, e);
  }

  static boolean isNotFound(SdkException e) {
    return e instanceof S3Exception && ((S3Exception) e).statusCode() == 404
        && !"NoSuchBucket".equals(code((S3Exception) e));
  }

  static String code(S3Exception e) {
    return S3Bucket.code(e);
  }

  /** A binary's SHA-256, from the faster provider here (Amazon Corretto Crypto Provider's where it is). */
  static MessageDigest sha256() {
    return org.binarybackends.spi.CryptoProviders.sha256();
  }

  static RequestBody body(byte[] bytes, int length) {
    // the SDK may send a part again on a retry: each attempt gets a fresh stream over the same bytes
    return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length, OCTETS);
  }

  PutObjectRequest.Builder encrypted(PutObjectRequest.Builder b) {
    return bucket.encrypted(b);
  }

  // ---- put ----

  StoredBinary put(ObjectKey key, InputStream content, PutOptions options) {
    String objectKey = objectKey(key);
    if (content == null) {
      throw InvalidInputException.of("content", null, "a stream of the binary's bytes");
    }
    if (options == null) {
      throw InvalidInputException.of("options", null, "put options, e.g. PutOptions.none()");
    }
    long firstSize = transfer.partSize(1, options.contentLength());
    content = new CountingInputStream(content); // to say how far the caller's stream got if it fails
    byte[] first = readNBytes(content, key, (int) Math.min(firstSize, options.contentLength().orElse(firstSize) + 1));
    int next = first.length < firstSize ? -1 : readByte(content, key);
    if (next < 0) {
      return putSingle(key, objectKey, first, options);
    }
    return new MultipartPut(this, key, objectKey, options).run(first, next, content);
  }

  static byte[] readNBytes(InputStream in, ObjectKey key, int max) {
    try {
      return in.readNBytes(max); // grows with the data: a small binary does not cost a whole part
    } catch (IOException e) {
      throw readFailed(key, in, e);
    }
  }

  static int readByte(InputStream in, ObjectKey key) {
    try {
      return in.read();
    } catch (IOException e) {
      throw readFailed(key, in, e);
    }
  }

  /** The caller's stream failed: how far it got is counted by the {@link CountingInputStream} put wrapped it in. */
  static ContentReadException readFailed(ObjectKey key, InputStream in, IOException e) {
    return new ContentReadException(key, ((CountingInputStream) in).count(), e);
  }

  static void checkExpectations(ObjectKey key, PutOptions options, long size, Sha256Digest digest) {
    if (options.contentLength().isPresent() && options.contentLength().getAsLong() != size) {
      throw IntegrityException.lengthMismatch(key, options.contentLength().getAsLong(), size);
    }
    if (options.expectedSha256().isPresent() && !options.expectedSha256().get().equals(digest)) {
      throw IntegrityException.digestMismatch(key, options.expectedSha256().get(), digest);
    }
  }

  private StoredBinary putSingle(ObjectKey key, String objectKey, byte[] bytes, PutOptions options) {
    MessageDigest md = sha256();
    md.update(bytes);
    Sha256Digest digest = Sha256Digest.of(md);
    checkExpectations(key, options, bytes.length, digest);
    // x-amz-checksum-sha256 of a single PUT is the whole object's: S3 refuses bytes that differ
    String etag = send(Operation.PUT_OBJECT, () -> s3.putObject(encrypted(PutObjectRequest.builder()).bucket(bucket())
        .key(objectKey).contentType(OCTETS).checksumAlgorithm(ChecksumAlgorithm.SHA256)
        .checksumSHA256(digest.base64()).metadata(Map.of(SHA256_METADATA, digest.hex())).build(),
        body(bytes, bytes.length))).eTag();
    return afterPut(key, objectKey, etag, bytes.length, digest);
  }

  /** The stored version as S3 dates it; the clock's time if another put replaced it meanwhile. */
  StoredBinary afterPut(ObjectKey key, String objectKey, String etag, long size, Sha256Digest digest) {
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket()).key(objectKey)
          .ifMatch(etag));
      return stored(key, size, digest, head.lastModified());
    } catch (SdkException e) {
      LOG.debug("{} was replaced right after it was stored: {}", key, e.toString());
      return stored(key, size, digest, clock.instant());
    }
  }

  /** The digest record of a version just replaced goes a little later: a reader may be opening that version. */
  void retireRecord(String token) {
    if (closed.get()) {
      DigestRecord.delete(this, token);
      return;
    }
    retiring.put(token, RETIRED.schedule(() -> {
      if (retiring.remove(token) != null) {
        DigestRecord.delete(this, token);
      }
    }, RECORD_GRACE.toMillis(), TimeUnit.MILLISECONDS));
  }

  /**
   * Starts a multipart upload at {@code objectKey} with SHA-256 part checksums, the configured
   * SSE-KMS key and {@code metadata}; returns S3's upload id.
   */
  String createMultipartUpload(String objectKey, Map<String, String> metadata) {
    return call(Operation.CREATE_MULTIPART_UPLOAD, () -> s3.createMultipartUpload(b -> b.bucket(bucket()).key(objectKey)
        .contentType(OCTETS).metadata(metadata).checksumAlgorithm(ChecksumAlgorithm.SHA256)
        .applyMutation(bucket::encrypted))).uploadId();
  }

  String bucket() {
    return bucket.name;
  }

  /** Says once that the store does not echo the parts' checksums (S3 does; some compatible stores do not). */
  void reportUnconfirmedChecksums() {
    if (uncheckedChecksumsReported.compareAndSet(false, true)) {
      LOG.info("{}: the store does not confirm the SHA-256 checksums of uploaded parts (S3 does); completing "
          + "without them, the whole binary's SHA-256 is still checked before completing. Said once.", instanceId);
    }
  }

  /** Says once, not per upload, that aborting is not allowed and the lifecycle rule must clean up. */
  void reportAbortRefused(String uploadId, BinaryBackendException e) {
    if (abortRefusalReported.compareAndSet(false, true)) {
      LOG.warn("{}: s3:AbortMultipartUpload is not allowed on bucket {} (upload {} left for the bucket's "
          + "AbortIncompleteMultipartUpload lifecycle rule to remove; add the action to the role's policy, or make sure "
          + "the rule exists). Said once. {}", organization, bucket.name, uploadId, e.getMessage());
    } else {
      LOG.debug("abort of upload {} refused: {}", uploadId, e.getMessage());
    }
  }

  /**
   * Aborts upload {@code uploadId} of {@code key} at {@code objectKey} after {@code cause}, which gets
   * the abort's own failure as suppressed: a role that may not abort is said once (the bucket's
   * lifecycle rule removes the upload), any other failure logged.
   */
  void abortUpload(ObjectKey key, String objectKey, String uploadId, Throwable cause) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket()).key(objectKey).uploadId(uploadId));
    } catch (SdkException e) {
      BinaryBackendException why = diagnose(Operation.ABORT_MULTIPART_UPLOAD, e);
      if (why instanceof AccessDeniedException) {
        reportAbortRefused(uploadId, why);
      } else {
        LOG.warn("aborting upload {} of {} failed ({}); the bucket's lifecycle rule removes it", uploadId, key,
            why.getMessage());
      }
      cause.addSuppressed(why);
    }
  }

  /**
   * Whether the store has given the SHA-256 of a server-side copy in one request (S3 does): then a
   * copy's digest goes in its metadata, verified as it is made; until one has, copies name a digest
   * record written after their read-back.
   */
  boolean copiesConfirmed() {
    return copiesConfirmed.get();
  }

  /** What the last copy in one request showed of the store: whether it gave the copy's SHA-256. */
  void copiesConfirmed(boolean confirmed) {
    copiesConfirmed.set(confirmed);
  }

  /** Says once that the store does not give the SHA-256 of a server-side copy (S3 does): copies are read back. */
  void reportUnconfirmedCopies() {
    if (uncheckedCopiesReported.compareAndSet(false, true)) {
      LOG.info("{}: the store does not give the SHA-256 of a server-side copy (S3 does, for a copy in one request);"
          + " each such copy is read back and hashed before it counts. Said once.", instanceId);
    }
  }

  // ---- read, stat ----

  BinaryContent read(ObjectKey key, ByteRange range) {
    String objectKey = objectKey(key);
    if (range == null) {
      throw InvalidInputException.of("range", null, "a byte range, e.g. ByteRange.all()");
    }
    // A version replaced between the GET and the lookup of its digest is read again: the reader gets
    // the newer version whole, with its own metadata.
    for (int attempt = 1; ; attempt++) {
      try {
        return open(key, objectKey, range);
      } catch (Replaced e) {
        if (attempt == 3) {
          throw new BackendUnavailableException(key + " was replaced three times while it was being opened; try again",
              true, e);
        }
      }
    }
  }

  /** The version being opened was replaced before its digest was found. */
  private static final class Replaced extends RuntimeException {
    Replaced(Throwable cause) {
      super(cause);
    }
  }

  private BinaryContent open(ObjectKey key, String objectKey, ByteRange range) {
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = s3.getObject(b -> b.bucket(bucket()).key(objectKey)
          .range(range.isAll() ? null : range.toHttpHeader()).checksumMode(range.isAll() ? ChecksumMode.ENABLED : null));
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        StoredBinary binary = stat(key);
        range.resolve(binary.size());
        throw new RangeNotSatisfiableException(range, binary.size());
      }
      if (isNotFound(e)) {
        throw new BinaryNotFoundException(instanceId, organization, key);
      }
      throw diagnose(Operation.GET_OBJECT, e);
    } catch (SdkException e) {
      throw diagnose(Operation.GET_OBJECT, e);
    }
    try {
      GetObjectResponse r = in.response();
      long length = r.contentLength();
      long offset = 0;
      long size = length;
      if (r.contentRange() != null) { // bytes first-last/size
        String cr = r.contentRange();
        offset = Long.parseLong(cr.substring(cr.indexOf(' ') + 1, cr.indexOf('-')));
        size = Long.parseLong(cr.substring(cr.indexOf('/') + 1));
      }
      Sha256Digest digest = digestOf(key, objectKey, r.metadata(), r.eTag(), size, r.checksumSHA256(),
          r.checksumType());
      StoredBinary binary = stored(key, size, digest, r.lastModified());
      return new BinaryContent(binary, new ByteRange.Resolved(offset, length), new Abortable(in, length));
    } catch (BackendUnavailableException e) {
      in.abort();
      throw e.getCause() instanceof S3Exception && ((S3Exception) e.getCause()).statusCode() == 412 ? new Replaced(e) : e;
    } catch (RuntimeException e) {
      in.abort();
      throw e instanceof SdkException ? diagnose(Operation.GET_OBJECT, e) : e;
    }
  }

  /**
   * Closing before the end aborts the connection instead of draining gigabytes nobody will read. A
   * failure the SDK raises while the bytes stream (its check of the object's checksum at the end: the
   * bytes were corrupted on the way) is an {@link IOException}, as a stream's reader expects, not an
   * SDK type escaping the library.
   */
  private static final class Abortable extends FilterInputStream {
    private final ResponseInputStream<?> response;
    private long remaining;

    Abortable(ResponseInputStream<?> response, long length) {
      super(response);
      this.response = response;
      this.remaining = length;
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = super.read();
      } catch (SdkException e) {
        throw failed(e);
      }
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n;
      try {
        n = super.read(buf, off, len);
      } catch (SdkException e) {
        throw failed(e);
      }
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }

    private IOException failed(SdkException e) {
      response.abort();
      return new IOException("reading the object from S3 failed" + (String.valueOf(e.getMessage()).contains("checksum")
          ? ", its bytes corrupted on the way (they do not match the checksum S3 sent): " : ": ") + e.getMessage(), e);
    }

    @Override
    public void close() throws IOException {
      if (remaining > 0) {
        response.abort();
      }
      super.close();
    }
  }

  StoredBinary stat(ObjectKey key) {
    return version(key).binary();
  }

  /** A binary's current version: what {@link #stat} says of it, and its ETag (to copy just that version). */
  record Version(StoredBinary binary, String etag) {}

  Version version(ObjectKey key) {
    String objectKey = objectKey(key);
    HeadObjectResponse head = head(key, objectKey).orElseThrow(
        () -> new BinaryNotFoundException(instanceId, organization, key));
    Sha256Digest digest = digestOf(key, objectKey, head.metadata(), head.eTag(), head.contentLength(),
        head.checksumSHA256(), head.checksumType());
    return new Version(stored(key, head.contentLength(), digest, head.lastModified()), head.eTag());
  }

  Optional<HeadObjectResponse> head(ObjectKey key, String objectKey) {
    try {
      return Optional.of(s3.headObject(b -> b.bucket(bucket()).key(objectKey)
          .checksumMode(ChecksumMode.ENABLED)));
    } catch (SdkException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw diagnose(Operation.HEAD_OBJECT, e);
    }
  }

  /**
   * The binary's SHA-256: from its metadata; else from its digest record; else, for an object this
   * library did not write, its full-object SHA-256 checksum; else (a record lost, a foreign object
   * with no such checksum) computed by reading that very version (If-Match), and recorded.
   */
  private Sha256Digest digestOf(ObjectKey key, String objectKey, Map<String, String> metadata, String etag, long size,
      String checksumSha256, ChecksumType checksumType) {
    String hex = metadata.get(SHA256_METADATA);
    if (hex != null && hex.matches("[0-9a-f]{64}")) {
      return Sha256Digest.ofHex(hex);
    }
    String token = metadata.get(RECORD_METADATA);
    if (token != null) {
      Optional<DigestRecord> record = DigestRecord.read(this, token);
      if (record.isPresent() && record.get().key().equals(key.value()) && record.get().size() == size) {
        return record.get().sha256();
      }
      LOG.warn("{}: the digest record {} of {} is missing or does not match; computing the digest again", instanceId,
          token, key);
    } else if (checksumSha256 != null && checksumType == ChecksumType.FULL_OBJECT) {
      return Sha256Digest.of(Base64.getDecoder().decode(checksumSha256));
    }
    Sha256Digest computed = compute(key, objectKey, etag);
    if (token != null) {
      DigestRecord.write(this, token, new DigestRecord(key.value(), size, computed));
    }
    return computed;
  }

  Sha256Digest compute(ObjectKey key, String objectKey, String etag) {
    MessageDigest md = sha256();
    ResponseInputStream<GetObjectResponse> version;
    try {
      version = s3.getObject(b -> b.bucket(bucket()).key(objectKey).ifMatch(etag));
    } catch (S3Exception e) {
      if (e.statusCode() == 412 || isNotFound(e)) {
        throw new BackendUnavailableException(key + " was replaced or deleted while it was being opened; try again",
            true, e);
      }
      throw diagnose(Operation.GET_OBJECT, e);
    } catch (SdkException e) {
      throw diagnose(Operation.GET_OBJECT, e);
    }
    try (InputStream in = version) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    } catch (IOException e) {
      throw new BackendUnavailableException("reading " + key + " to compute its SHA-256 failed: " + e.getMessage(),
          true, e);
    }
    return Sha256Digest.of(md);
  }

  // ---- delete, list ----

  DeleteResult delete(ObjectKey key) {
    String objectKey = objectKey(key);
    Optional<HeadObjectResponse> head = head(key, objectKey);
    if (head.isEmpty()) {
      return DeleteResult.NOT_FOUND;
    }
    call(Operation.DELETE_OBJECT, () -> s3.deleteObject(b -> b.bucket(bucket()).key(objectKey)
        ));
    String token = head.get().metadata().get(RECORD_METADATA);
    if (token != null) {
      retireRecord(token);
    }
    return DeleteResult.DELETED;
  }

  ListPage list(ListRequest request) {
    if (request == null) {
      throw InvalidInputException.of("request", null, "a list request, e.g. ListRequest.all()");
    }
    String prefix = root;
    String reserved = prefix + RESERVED;
    List<ListedBinary> page = new ArrayList<>();
    String after = request.startAfter().map(k -> prefix + k.value()).orElse(null);
    boolean more;
    do { // pages made only of the library's records are skipped
      String from = after;
      ListObjectsV2Response r = call(Operation.LIST_OBJECTS, () -> s3.listObjectsV2(b -> b.bucket(bucket())
          .prefix(prefix + request.prefix()).startAfter(from).maxKeys(request.pageSize() - page.size())
          ));
      for (S3Object o : r.contents()) {
        after = o.key();
        if (!o.key().startsWith(reserved)) {
          page.add(new ListedBinary(new BinaryLocation(instanceId, organization,
              ObjectKey.of(o.key().substring(prefix.length()))), o.size(),
              o.lastModified().truncatedTo(ChronoUnit.SECONDS)));
        }
      }
      more = Boolean.TRUE.equals(r.isTruncated());
    } while (more && page.size() < request.pageSize());
    if (more && page.isEmpty()) {
      more = false; // cannot happen: the loop runs until a page has a binary or the listing ends
    }
    return ListPage.of(request, page, more);
  }

  // ---- removing an organization ----

  /** How many keys one DeleteObjects request takes: S3's limit. */
  static final int DELETE_BATCH = 1000;

  /**
   * Removes everything under this view's root: the uploads in flight first (so none completes into
   * a listing already passed), then every object, binaries and the library's records alike, in
   * DeleteObjects batches of {@value #DELETE_BATCH}. Each binary goes to {@code each} before its
   * batch is sent. Only for a root that is one organization's alone (the platform's bucket): an
   * organization's own bucket may keep other things under its prefix.
   */
  org.binarybackends.OrganizationRemoval removeAll(boolean dryRun, java.util.function.Consumer<ListedBinary> each) {
    check(organization);
    if (root.isEmpty()) {
      throw new IllegalStateException("refusing to empty a whole bucket: the root of " + organization + " is empty");
    }
    int aborted = 0;
    String keyMarker = null;
    String uploadMarker = null;
    boolean more = true;
    while (more) {
      String k = keyMarker;
      String u = uploadMarker;
      var r = call(Operation.LIST_MULTIPART_UPLOADS, () -> s3.listMultipartUploads(b -> b.bucket(bucket())
          .prefix(root).keyMarker(k).uploadIdMarker(u)));
      for (var upload : r.uploads()) {
        if (!dryRun) {
          call(Operation.ABORT_MULTIPART_UPLOAD, () -> s3.abortMultipartUpload(b -> b.bucket(bucket())
              .key(upload.key()).uploadId(upload.uploadId())));
        }
        aborted++;
      }
      more = Boolean.TRUE.equals(r.isTruncated());
      keyMarker = r.nextKeyMarker();
      uploadMarker = r.nextUploadIdMarker();
    }
    String reserved = root + RESERVED;
    long binaries = 0;
    long bytes = 0;
    List<software.amazon.awssdk.services.s3.model.ObjectIdentifier> batch = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      ListObjectsV2Response r = call(Operation.LIST_OBJECTS, () -> s3.listObjectsV2(b -> b.bucket(bucket())
          .prefix(root).continuationToken(t)));
      for (S3Object o : r.contents()) {
        if (!o.key().startsWith(reserved)) {
          each.accept(new ListedBinary(new BinaryLocation(instanceId, organization,
              ObjectKey.of(o.key().substring(root.length()))), o.size(), o.lastModified().truncatedTo(ChronoUnit.SECONDS)));
          binaries++;
          bytes += o.size();
        }
        if (!dryRun) {
          batch.add(software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key(o.key()).build());
          if (batch.size() == DELETE_BATCH) {
            deleteBatch(batch);
          }
        }
      }
      token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
    } while (token != null);
    if (!batch.isEmpty()) {
      deleteBatch(batch);
    }
    return new org.binarybackends.OrganizationRemoval(organization, instanceId, dryRun, binaries, bytes, aborted);
  }

  /** One DeleteObjects request, quiet: it answers only the keys it could not delete, which fail the removal. */
  private void deleteBatch(List<software.amazon.awssdk.services.s3.model.ObjectIdentifier> batch) {
    List<software.amazon.awssdk.services.s3.model.ObjectIdentifier> keys = List.copyOf(batch);
    batch.clear();
    var r = call(Operation.DELETE_OBJECT, () -> s3.deleteObjects(b -> b.bucket(bucket())
        .delete(d -> d.objects(keys).quiet(true))));
    if (r.hasErrors() && !r.errors().isEmpty()) {
      var first = r.errors().get(0);
      throw new BackendUnavailableException("removing " + organization + "'s objects from " + bucket() + ": "
          + r.errors().size() + " of " + keys.size() + " could not be deleted (the first, " + first.key() + ": "
          + first.code() + " " + first.message() + "); what was deleted stays deleted: run the removal again",
          true, null);
    }
  }

  // ---- signed URLs ----

  /**
   * A presigned GET. The URL works until the earlier of {@code ttl} and the end of the session that
   * signed it (a presigned URL dies with its credentials; sessions last at most an hour under role
   * chaining): when the cached session would end first, a fresh one is assumed, and the expiry
   * reported is the real one, never later.
   */
  SignedUrl signDownloadUrl(ObjectKey key, Duration ttl) {
    String objectKey = objectKey(key);
    checkTtl(ttl);
    return presign(objectKey, ttl, credentialsLasting(ttl));
  }

  SignedUrl presign(String objectKey, Duration ttl, AwsCredentialsIdentity credentials) {
    return presign(SdkHttpMethod.GET, objectKey, Map.of(), Map.of(), ttl, credentials);
  }

  /**
   * A presigned request: {@code query} and {@code headers} are signed with it (the client must send
   * the headers as given), so the URL works for exactly that request.
   */
  SignedUrl presign(SdkHttpMethod method, String objectKey, Map<String, String> query, Map<String, String> headers,
      Duration ttl, AwsCredentialsIdentity credentials) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    long seconds = Math.max(1, ttl.getSeconds());
    URI unsigned;
    try {
      unsigned = s3.utilities().getUrl(b -> b.bucket(bucket()).key(objectKey)).toURI();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("the SDK made an invalid URL for " + objectKey, e);
    }
    SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(method).uri(unsigned);
    // the expected owner goes in the URL too, signed and in lower case, the one form in which S3
    // enforces it for a presigned request: a device never downloads from a bucket someone else
    // recreated under the same name (the SDK's presigner would make it a header no device sends)
    request.putRawQueryParameter("x-amz-expected-bucket-owner", owner);
    query.forEach(request::putRawQueryParameter);
    headers.forEach(request::putHeader);
    // The SDK's own SigV4 signer, given the library's clock: the URL's date and the expiry reported
    // come from the same instant.
    URI signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials).request(request.build())
        .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, Duration.ofSeconds(seconds))
        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(now, java.time.ZoneOffset.UTC))
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request().getUri();
    Instant byTtl = now.plusSeconds(seconds);
    Instant bySession = credentials.expirationTime().orElse(byTtl);
    return new SignedUrl(signed, bySession.isBefore(byTtl) ? bySession : byTtl);
  }

  /** Checks a TTL for a presigned URL. */
  static void checkTtl(Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_URL_TTL) > 0) {
      throw InvalidInputException.of("ttl", ttl == null ? null : ttl.toString(), "a duration above zero, at most "
          + MAX_URL_TTL.toDays() + " days (S3's limit for presigned URLs)");
    }
  }

  /** Credentials lasting {@code ttl} if their source allows, for presigning. */
  AwsCredentialsIdentity credentialsLasting(Duration ttl) {
    try {
      return signingCredentials.apply(ttl);
    } catch (SdkException e) {
      throw diagnose(Operation.GET_OBJECT, e);
    }
  }

  S3DirectUploads directUploads() {
    return directUploads;
  }

  // ---- verify, probes, close ----

  /**
   * When verify last found that the role may not abort a multipart upload, and the upload that
   * probe had to leave: verify does not create another for a day, so that repeated checks of a role
   * without {@code s3:AbortMultipartUpload} leave one empty upload, not one per check.
   */
  record AbortDenied(java.time.Instant at, String key, String uploadId, String warning) {}

  volatile AbortDenied abortDenied;

  /** A new key under {@code <root>.binary-backends/probes/}. */
  String newProbeKey() {
    return reserved("probes") + UUID.randomUUID();
  }

  String putProbe(byte[] content) {
    String key = newProbeKey();
    putProbe(key, content);
    return key;
  }

  void putProbe(String key, byte[] content) {
    java.security.MessageDigest md = sha256();
    md.update(content);
    call(Operation.PUT_OBJECT, () -> s3.putObject(encrypted(PutObjectRequest.builder()).bucket(bucket())
        .key(key).checksumAlgorithm(ChecksumAlgorithm.SHA256)
        .checksumSHA256(Sha256Digest.of(md).base64()).metadata(Map.of("purpose", "verification")).build(),
        body(content, content.length)));
  }

  void deleteProbe(String key) {
    if (key == null || !key.startsWith(reserved("probes"))) {
      throw InvalidInputException.of("key", key, "a probe's key, as putProbe returned it");
    }
    try {
      call(Operation.DELETE_OBJECT, () -> s3.deleteObject(b -> b.bucket(bucket()).key(key)));
    } catch (AccessDeniedException e) {
      throw new AccessDeniedException(e.refused(), e.possibleCauses(), e.providerMessage()
          + "; the probe " + key + " is left in the bucket: remove it once the permission is fixed", e);
    }
  }

  @Override
  public void close() {
    if (view) {
      return; // the objects it views close the bucket and the threads
    }
    if (closed.compareAndSet(false, true)) {
      parts.shutdownNow();
      for (String token : List.copyOf(retiring.keySet())) { // versions replaced in the last minute
        java.util.concurrent.ScheduledFuture<?> pending = retiring.remove(token);
        if (pending != null && pending.cancel(false)) {
          DigestRecord.delete(this, token);
        }
      }
      bucket.close();
    }
  }

  @Override
  public String toString() {
    return "S3Objects{" + organization + " under '" + root + "' of " + bucket + "}";
  }
}
