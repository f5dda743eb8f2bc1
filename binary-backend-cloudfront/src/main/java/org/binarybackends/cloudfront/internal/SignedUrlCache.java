package org.binarybackends.cloudfront.internal;

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
import org.binarybackends.cloudfront.CloudFrontKey;
import org.binarybackends.cloudfront.CloudFrontSigner;
import org.binarybackends.spi.GaugeSet;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;

/**
 * Hands the same signed URL to every device that asks for one object within a step of time, so that
 * a fleet of thousands downloading one firmware costs one signature per step, not one per device.
 *
 * <p>The rule: a URL asked for with {@code ttl} expires at {@code now + ttl} rounded <em>down</em> to
 * a multiple of the step (epoch-aligned), the step being the longest of 1 s, 10 s, 1 min, 5 min and
 * 15 min that is at most a quarter of {@code ttl} and at most the cache's {@code window}. So every
 * request in one step finds the same URL, a URL never outlives what was asked for, and it keeps at
 * least three quarters of it (a 1-hour URL lives 45 to 60 minutes). Entries are kept in a
 * least-recently-used map of at most {@code maxEntries} (bounded memory); expired ones are dropped.
 * URLs are cached per signer: after a rotation the new signer's requests never find a URL of the
 * rotated-out key, and {@link #forget(String)} drops them at once. Thread-safe.
 */
public final class SignedUrlCache implements AutoCloseable {
  private static final long[] STEPS = {1, 10, 60, 300, 900};
  /** Expired entries are swept once every so many signatures (the LRU bound holds meanwhile). */
  private static final int SWEEP_EVERY = 256;

  private final Duration window;
  private final int maxEntries;
  private final Clock clock;
  private final LinkedHashMap<Key, SignedUrl> entries;
  private long signatures;
  private final Instrumentation meters;
  private final MetricTags byType;
  private final Instrumentation.Registration sizeGauge;

  /** What a URL is made of: building the URL itself only to look it up would cost more than the lookup. */
  private record Key(CloudFrontSigner signer, String pathPrefix, ObjectKey key, Map<String, String> query,
      long expires) {
    String keyPairId() {
      return signer.keyPairId();
    }
  }

  /**
   * @param window the longest rounding of expiries, e.g. 15 minutes
   * @param maxEntries the most URLs kept
   * @throws InvalidInputException unless the window is 1 second to 1 hour and maxEntries at least 1
   */
  public SignedUrlCache(Duration window, int maxEntries, Clock clock) {
    this(window, maxEntries, clock, Instrumentation.none(), "cloudfront");
  }

  /**
   * Measured in {@code meters}: hits, misses and signatures (by key algorithm) counted, its size added
   * to the size of every cache of the same backend type until {@link #close()}.
   */
  public SignedUrlCache(Duration window, int maxEntries, Clock clock, Instrumentation meters, String backendType) {
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
    this.meters = Objects.requireNonNull(meters, "meters");
    this.byType = MetricTags.of("backend.type", backendType);
    this.sizeGauge = GaugeSet.of(meters, "binary.backend.signed.url.cache.size", "Signed URLs held by the fleet caches",
        null, byType, GaugeSet.Reduce.SUM).add(this::size);
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, SignedUrl> eldest) {
        return size() > SignedUrlCache.this.maxEntries;
      }
    };
  }

  /** The rounding of expiries for {@code ttl}: see the class's rule. */
  Duration step(Duration ttl) {
    long limit = Math.min(window.getSeconds(), ttl.getSeconds() / 4);
    long step = 1;
    for (long s : STEPS) {
      if (s <= limit) {
        step = s;
      }
    }
    return Duration.ofSeconds(step);
  }

  /**
   * A canned-policy URL of {@code key} that expires at most {@code ttl} from now and at least three
   * quarters of it, signed by {@code signer} or reused.
   *
   * @throws InvalidInputException if {@code ttl} is not at least one second
   */
  public SignedUrl canned(CloudFrontSigner signer, String pathPrefix, ObjectKey key, Map<String, String> query,
      Duration ttl) {
    if (ttl == null || ttl.getSeconds() < 1) {
      throw InvalidInputException.of("ttl", String.valueOf(ttl), "at least one second");
    }
    Instant now = clock.instant();
    long step = step(ttl).getSeconds();
    long expires = Math.floorDiv(now.plus(ttl).getEpochSecond(), step) * step; // down: never beyond the ttl
    Key k = new Key(signer, pathPrefix, key, query.isEmpty() ? Map.of() : Map.copyOf(query), expires);
    synchronized (entries) {
      SignedUrl cached = entries.get(k);
      if (cached != null) {
        meters.counter("binary.backend.signed.url.cache.hits", "Signed URLs served from the fleet cache", null, byType)
            .increment();
        return cached;
      }
    }
    meters.counter("binary.backend.signed.url.cache.misses", "Signed URLs the fleet cache had to sign", null, byType)
        .increment();
    SignedUrl signed = signer.signCanned(pathPrefix, key, query, Instant.ofEpochSecond(expires));
    meters.counter("binary.backend.signatures", "Signatures made, by key algorithm", null,
        byType.and("algorithm", signer.keyAlgorithm() == CloudFrontKey.Algorithm.RSA_2048 ? "rsa-2048" : "ecdsa-p256"))
        .increment();
    synchronized (entries) {
      if (++signatures % SWEEP_EVERY == 0) {
        entries.values().removeIf(u -> !u.expiresAt().isAfter(now));
      }
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
  /** Stops adding its size to the gauge (its backend is closed). */
  @Override
  public void close() {
    sizeGauge.close();
  }

  public long signatures() {
    synchronized (entries) {
      return signatures;
    }
  }
}
