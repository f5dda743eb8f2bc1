package com.example.binaries.memory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
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
import org.binarybackends.ListedBinary;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.VerificationReport.Check;

/**
 * Binaries in memory, in chunks of {@value #CHUNK_BYTES} bytes, up to a capacity. Download URLs are
 * {@code memory://<name>/<organization>/<key>?expires=..&sig=..}, checked by {@link #download(URI)}
 * in place of an HTTP server. Thread-safe.
 */
public final class InMemoryBackend implements BinaryBackend {
  /** The chunk size: the boundary the contract suite tests around. */
  public static final int CHUNK_BYTES = 8 * 1024;
  private static final Duration MAX_TTL = Duration.ofDays(7);

  private final InMemorySettings settings;
  private final Clock clock;
  private final BackendInstanceId instanceId;
  private final Map<OrganizationId, NavigableMap<ObjectKey, Blob>> organizations = new ConcurrentHashMap<>();
  private final AtomicLong used = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final SecretKeySpec urlKey;

  InMemoryBackend(InMemorySettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.instanceId = settings.instanceId();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    this.urlKey = new SecretKeySpec(key, "HmacSHA256");
  }

  private record Blob(List<byte[]> chunks, long size, Sha256Digest sha256, Instant storedAt) {}

  /** What {@link #download(URI)} answers: an HTTP-like status and, for 200, the body. */
  public record Response(int status, InputStream body) {}

  @Override
  public BackendInstanceId instanceId() {
    return instanceId;
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    open();
    notNull(organization, key, content, options);
    MessageDigest sha = sha256();
    CountingInputStream counted = new CountingInputStream(content); // says how far the caller's stream got
    List<byte[]> chunks = new ArrayList<>();
    long size = 0;
    try {
      while (true) {
        byte[] chunk;
        try {
          chunk = counted.readNBytes(CHUNK_BYTES);
        } catch (IOException e) {
          throw new ContentReadException(key, counted.count(), e);
        }
        if (chunk.length == 0) {
          break;
        }
        if (used.addAndGet(chunk.length) > settings.capacityBytes()) {
          used.addAndGet(-chunk.length);
          throw new BackendUnavailableException("in-memory store '" + settings.name() + "' is full ("
              + settings.capacityBytes() + " bytes)", false, null);
        }
        chunks.add(chunk);
        size += chunk.length;
        sha.update(chunk);
      }
      long declared = options.contentLength().orElse(size);
      if (declared != size) {
        throw IntegrityException.lengthMismatch(key, declared, size);
      }
      Sha256Digest digest = Sha256Digest.of(sha);
      if (options.expectedSha256().isPresent() && !options.expectedSha256().get().equals(digest)) {
        throw IntegrityException.digestMismatch(key, options.expectedSha256().get(), digest);
      }
      Blob blob = new Blob(Collections.unmodifiableList(chunks), size, digest, clock.instant());
      Blob old = organizations.computeIfAbsent(organization, o -> new ConcurrentSkipListMap<>()).put(key, blob);
      if (old != null) {
        used.addAndGet(-old.size());
      }
      return stored(organization, key, blob);
    } catch (RuntimeException e) {
      used.addAndGet(-chunks.stream().mapToLong(c -> c.length).sum());
      throw e;
    }
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    open();
    notNull(organization, key, range);
    Blob blob = blob(organization, key);
    ByteRange.Resolved r = range.resolve(blob.size());
    List<InputStream> parts = new ArrayList<>();
    long offset = 0;
    for (byte[] chunk : blob.chunks()) {
      long start = Math.max(r.offset(), offset);
      long end = Math.min(r.offset() + r.length(), offset + chunk.length);
      if (start < end) {
        parts.add(new ByteArrayInputStream(chunk, (int) (start - offset), (int) (end - start)));
      }
      offset += chunk.length;
    }
    return new BinaryContent(stored(organization, key, blob), r, new SequenceInputStream(Collections.enumeration(parts)));
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    open();
    notNull(organization, key);
    return stored(organization, key, blob(organization, key));
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    open();
    notNull(organization, key);
    NavigableMap<ObjectKey, Blob> blobs = organizations.get(organization);
    Blob removed = blobs == null ? null : blobs.remove(key);
    if (removed == null) {
      return DeleteResult.NOT_FOUND;
    }
    used.addAndGet(-removed.size());
    return DeleteResult.DELETED;
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    open();
    notNull(organization, request);
    NavigableMap<ObjectKey, Blob> blobs = organizations.getOrDefault(organization, Collections.emptyNavigableMap());
    // ObjectKey orders by UTF-8 bytes, so the skip list is already in listing order.
    NavigableMap<ObjectKey, Blob> after = request.startAfter().map(k -> blobs.tailMap(k, false)).orElse(blobs);
    List<ListedBinary> page = new ArrayList<>();
    boolean more = false;
    for (Map.Entry<ObjectKey, Blob> e : after.entrySet()) {
      if (!request.admits(e.getKey())) {
        continue;
      }
      if (page.size() == request.pageSize()) {
        more = true;
        break;
      }
      page.add(stored(organization, e.getKey(), e.getValue()).listed());
    }
    return ListPage.of(request, page, more);
  }

  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    open();
    notNull(organization, key);
    if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      throw InvalidInputException.of("ttl", String.valueOf(ttl), "1 second to " + MAX_TTL);
    }
    long expires = clock.instant().plus(ttl).getEpochSecond();
    URI uri = URI.create("memory://" + settings.name() + "/" + organization + "/"
        + URLEncoder.encode(key.value(), StandardCharsets.UTF_8) + "?expires=" + expires + "&sig="
        + mac(organization, key, expires));
    return new SignedUrl(uri, Instant.ofEpochSecond(expires));
  }

  /** Plays the download server: 403 for a bad or expired URL, 404 for a missing binary, else 200. */
  public Response download(URI uri) {
    try {
      String[] path = uri.getRawPath().substring(1).split("/", 2);
      OrganizationId organization = OrganizationId.of(path[0]);
      ObjectKey key = ObjectKey.of(URLDecoder.decode(path[1], StandardCharsets.UTF_8));
      String[] query = uri.getRawQuery().split("&");
      long expires = Long.parseLong(query[0].substring("expires=".length()));
      byte[] given = Base64.getUrlDecoder().decode(query[1].substring("sig=".length()));
      byte[] expected = Base64.getUrlDecoder().decode(mac(organization, key, expires));
      if (!MessageDigest.isEqual(given, expected) || clock.instant().getEpochSecond() >= expires) {
        return new Response(403, InputStream.nullInputStream());
      }
      return new Response(200, read(organization, key).stream());
    } catch (BinaryNotFoundException e) {
      return new Response(404, InputStream.nullInputStream());
    } catch (RuntimeException e) {
      return new Response(403, InputStream.nullInputStream());
    }
  }

  @Override
  public VerificationReport verify() {
    byte[] probe = new byte[1024];
    new SecureRandom().nextBytes(probe);
    Instant now = clock.instant();
    boolean fits = used.get() + probe.length <= settings.capacityBytes();
    Check capacity = fits ? Check.passed("capacity", used.get() + " of " + settings.capacityBytes() + " bytes used")
        : Check.failed("capacity", "the store is full: raise capacityBytes or delete binaries", true);
    Check signing;
    try {
      byte[] a = mac(OrganizationId.of("verify"), ObjectKey.of("probe"), 1).getBytes(StandardCharsets.US_ASCII);
      signing = a.length > 0 && Arrays.equals(a, mac(OrganizationId.of("verify"), ObjectKey.of("probe"), 1)
          .getBytes(StandardCharsets.US_ASCII)) ? Check.passed("sign-download-url", "HMAC-SHA256 signs")
          : Check.failed("sign-download-url", "signatures are not stable", false);
    } catch (RuntimeException e) {
      signing = Check.failed("sign-download-url", e.getMessage(), false);
    }
    return new VerificationReport(instanceId, now, List.of(capacity, signing));
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      organizations.clear();
      used.set(0);
    }
  }

  private Blob blob(OrganizationId organization, ObjectKey key) {
    NavigableMap<ObjectKey, Blob> blobs = organizations.get(organization);
    Blob blob = blobs == null ? null : blobs.get(key);
    if (blob == null) {
      throw new BinaryNotFoundException(instanceId, organization, key);
    }
    return blob;
  }

  private StoredBinary stored(OrganizationId organization, ObjectKey key, Blob blob) {
    return new StoredBinary(new BinaryLocation(instanceId, organization, key), blob.size(), blob.sha256(), blob.storedAt());
  }

  private String mac(OrganizationId organization, ObjectKey key, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(urlKey);
      for (byte[] field : new byte[][] {organization.value().getBytes(StandardCharsets.UTF_8), key.utf8(),
          ByteBuffer.allocate(8).putLong(expires).array()}) {
        mac.update(ByteBuffer.allocate(4).putInt(field.length).array()); // length-prefixed: no ambiguity
        mac.update(field);
      }
      return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The SPI's SHA-256: the faster provider here, Amazon Corretto Crypto Provider's where it is. */
  private static MessageDigest sha256() {
    return org.binarybackends.spi.CryptoProviders.sha256();
  }

  private void open() {
    if (closed.get()) {
      throw new BackendUnavailableException("in-memory store '" + settings.name() + "' is closed", false, null);
    }
  }

  private static void notNull(Object... arguments) {
    for (Object a : arguments) {
      if (a == null) {
        throw InvalidInputException.of("argument", null, "non-null arguments");
      }
    }
  }
}
