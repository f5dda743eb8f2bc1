package org.binarybackends.cloudfront;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.binarybackends.Violation;

/**
 * Hands the same signed URL to every device that asks for one object within a window, so that a
 * fleet of thousands downloading one firmware costs one signature per window, not one per device.
 *
 * <p>The rule: an expiry is {@code now + ttl} rounded <em>up</em> to the next multiple of
 * {@code window} (epoch-aligned), so every request in one window computes the same expiry and finds
 * the same URL; a URL handed out always has at least {@code ttl} left, and at most
 * {@code ttl + window}. Entries are kept in a least-recently-used map of at most {@code maxEntries}
 * (bounded memory) and dropped once expired. URLs are cached per key pair id: after a rotation the
 * new signer's requests never find a URL of the rotated-out key, and {@link #forget(String)} drops
 * them at once. Thread-safe.
 */
public final class SignedUrlCache {
  private final Duration window;
  private final int maxEntries;
  private final Clock clock;
  private final LinkedHashMap<Key, SignedUrl> entries;
  private long signatures;

  /** What a URL is made of: building the URL itself only to look it up would cost more than the lookup. */
  private record Key(CloudFrontSigner signer, String pathPrefix, ObjectKey key, Map<String, String> query,
      long expires) {
    String keyPairId() {
      return signer.keyPairId();
    }
  }

  /**
   * @param window the rounding of expiries, e.g. 5 minutes
   * @param maxEntries the most URLs kept
   * @throws InvalidInputException unless the window is 1 second to 1 hour and maxEntries at least 1
   */
  public SignedUrlCache(Duration window, int maxEntries, Clock clock) {
    List<Violation> v = new java.util.ArrayList<>();
    if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
      v.add(Violation.of("window", String.valueOf(window), "1 second to 1 hour"));
    }
    if (maxEntries < 1) {
      v.add(Violation.of("maxEntries", Integer.toString(maxEntries), "at least 1"));
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    this.window = window;
    this.maxEntries = maxEntries;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, SignedUrl> eldest) {
        return size() > SignedUrlCache.this.maxEntries;
      }
    };
  }

  /** A canned-policy URL of {@code key} valid for at least {@code ttl}, signed by {@code signer} or reused. */
  public SignedUrl canned(CloudFrontSigner signer, String pathPrefix, ObjectKey key, Map<String, String> query,
      Duration ttl) {
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw InvalidInputException.of("ttl", String.valueOf(ttl), "a positive duration");
    }
    Instant now = clock.instant();
    long step = window.getSeconds();
    Instant end = now.plus(ttl);
    long wanted = end.getEpochSecond() + (end.getNano() > 0 ? 1 : 0); // up, never below the ttl
    long expires = (wanted + step - 1) / step * step;
    Key k = new Key(signer, pathPrefix, key, query.isEmpty() ? Map.of() : Map.copyOf(query), expires);
    synchronized (entries) {
      SignedUrl cached = entries.get(k);
      if (cached != null) {
        return cached;
      }
    }
    SignedUrl signed = signer.signCanned(pathPrefix, key, query, Instant.ofEpochSecond(expires));
    synchronized (entries) {
      signatures++;
      entries.values().removeIf(u -> !u.expiresAt().isAfter(now));
      entries.put(k, signed);
    }
    return signed;
  }

  /** Drops every URL signed with {@code keyPairId} (a key rotated out). */
  public void forget(String keyPairId) {
    synchronized (entries) {
      entries.keySet().removeIf(k -> k.keyPairId().equals(keyPairId));
    }
  }

  /** How many URLs are kept. */
  public int size() {
    synchronized (entries) {
      return entries.size();
    }
  }

  /** How many signatures were computed (not reused) so far. */
  public long signatures() {
    synchronized (entries) {
      return signatures;
    }
  }
}
