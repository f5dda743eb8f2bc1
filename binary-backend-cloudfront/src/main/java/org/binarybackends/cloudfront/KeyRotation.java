package org.binarybackends.cloudfront;

import org.binarybackends.cloudfront.internal.SignedUrlCache;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.OrganizationId;
import org.binarybackends.cloudfront.CloudFrontSettings.KeyPair;
import org.binarybackends.spi.SharedNotes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of the configured key pairs signs, and what every service instance knows about each, kept in
 * the shared notes of the distribution's owner ({@link Front#notesOwner}: the organization, or for
 * the platform's distribution the platform, once for every organization):
 *
 * <ul>
 *   <li>{@code cloudfront/<host>/<keyPairId>/trusted}: a probe signed with the key passed at the edge
 *       (set by {@link #trusted}); removed when CloudFront answers that it does not know the key, or
 *       refuses its signature (so a key removed from the key group too early hands signing back to an
 *       older trusted one).
 *   <li>{@code cloudfront/<host>/<keyPairId>/latest-expiry}: the latest expiry of a URL the key
 *       signed, on any instance.
 * </ul>
 *
 * <p>The rule: the newest configured key (the last of {@code keys}) that is trusted signs; until one
 * is, the oldest. A key that does not sign is removable once its latest expiry has passed. Switching
 * drops the old key's URLs from the cache at once. Every instance reads the notes again at most
 * {@link #REFRESH} after it last did, while it signs: a key another instance found trusted signs here
 * too within that time. Thread-safe.
 */
final class KeyRotation {
  private static final Logger LOG = LoggerFactory.getLogger(KeyRotation.class);
  /** How long an instance signs on the notes it read before reading them again. */
  static final java.time.Duration REFRESH = java.time.Duration.ofMinutes(1);

  private final OrganizationId organization;
  private final String host;
  private final List<KeyPair> keys;
  private final Map<String, CloudFrontSigner> signers = new LinkedHashMap<>();
  private final SharedNotes notes;
  private final SignedUrlCache cache;
  private final Clock clock;
  /** The latest expiry this instance has recorded per key: a note is written only when it grows. */
  private final Map<String, Instant> recorded = new ConcurrentHashMap<>();
  private volatile CloudFrontSigner current;
  /** When the notes were last read (or tried). */
  private volatile Instant refreshed;

  /** @param organization whose notes hold the state: the distribution's owner */
  KeyRotation(OrganizationId organization, Distribution distribution, SharedNotes notes, SignedUrlCache cache,
      Clock clock) {
    this.organization = organization;
    this.host = distribution.host;
    this.keys = distribution.keys;
    for (KeyPair k : keys) {
      signers.put(k.keyPairId(), CloudFrontSigner.forBaseUrl(distribution.baseUrl(), k.keyPairId(), k.privateKey(),
          distribution.hashAlgorithm).withClock(clock));
    }
    this.notes = notes;
    this.cache = cache;
    this.clock = clock;
    this.current = signers.get(keys.get(0).keyPairId());
    try {
      refresh();
    } catch (RuntimeException e) { // a state store that cannot be read must not keep the backend from serving
      LOG.warn("{}: cannot read the key rotation notes ({}); signing with {} until the next check", organization,
          e.getMessage(), current.keyPairId());
    }
  }

  /** The signer of key pair {@code keyPairId}. */
  CloudFrontSigner signer(String keyPairId) {
    return signers.get(keyPairId);
  }

  List<KeyPair> keys() {
    return keys;
  }

  /** The signer that signs now. */
  CloudFrontSigner current() {
    return current;
  }

  /**
   * The signer that signs now, after reading the notes again if {@link #REFRESH} has passed since
   * they were last read: one read a minute per instance, on the calling thread; a failure is logged
   * and signing goes on with what was read before.
   */
  CloudFrontSigner currentFresh() {
    Instant last = refreshed;
    if (last == null || !clock.instant().isBefore(last.plus(REFRESH))) {
      synchronized (this) {
        if (refreshed == last) {
          try {
            refresh();
          } catch (RuntimeException e) {
            refreshed = clock.instant();
            LOG.warn("{}: cannot read the key rotation notes ({}); signing with {} until the next read", organization,
                e.getMessage(), current.keyPairId());
          }
        }
      }
    }
    return current;
  }

  private String note(String keyPairId, String what) {
    return "cloudfront/" + host + "/" + keyPairId + "/" + what;
  }

  /**
   * Reads the notes again (one read) and switches to the newest trusted key. Also forgets the
   * latest expiry of a key no longer configured once it has passed (its "trusted" mark stays: another
   * configuration of the organization may still list the key).
   *
   * @return the notes read, by name
   */
  Map<String, String> refresh() {
    String prefix = "cloudfront/" + host + "/";
    Map<String, String> read = notes.list(organization, prefix);
    refreshed = clock.instant();
    CloudFrontSigner chosen = signers.get(keys.get(0).keyPairId());
    for (KeyPair k : keys) {
      if (read.containsKey(note(k.keyPairId(), "trusted"))) {
        chosen = signers.get(k.keyPairId());
      }
    }
    CloudFrontSigner before = current;
    if (chosen != before) {
      current = chosen;
      cache.forget(before.keyPairId());
      LOG.info("{}: CloudFront URLs are now signed with key pair {} (was {})", organization, chosen.keyPairId(),
          before.keyPairId());
    }
    Instant now = clock.instant();
    read.forEach((name, value) -> {
      String keyPairId = name.substring(prefix.length()).split("/")[0];
      if (!signers.containsKey(keyPairId) && name.equals(note(keyPairId, "latest-expiry"))
          && !Instant.parse(value).isAfter(now)) {
        notes.update(organization, name, v -> v.filter(e -> Instant.parse(e).isAfter(now)));
      }
    });
    return read;
  }

  /**
   * Records that a probe signed with {@code keyPairId} passed at the edge, or ({@code false}) that the
   * edge does not know the key or refuses its signature.
   */
  void trusted(String keyPairId, boolean trusted) {
    notes.update(organization, note(keyPairId, "trusted"), v -> trusted
        ? Optional.of(v.orElse(clock.instant().toString())) : Optional.empty());
  }

  /** The latest expiry of a URL {@code keyPairId} signed, on any instance, from the notes {@link #refresh} read. */
  Optional<Instant> latestExpiry(String keyPairId, Map<String, String> read) {
    return Optional.ofNullable(read.get(note(keyPairId, "latest-expiry"))).map(Instant::parse);
  }

  /**
   * Records that {@code signer} handed out a URL expiring at {@code expires}. Writes a note only when
   * the expiry passes the latest this instance recorded: with expiries rounded to a step, about once
   * per step. A failure to write is logged, not thrown: downloads do not wait for the state store.
   */
  void issued(CloudFrontSigner signer, Instant expires) {
    String id = signer.keyPairId();
    Instant known = recorded.get(id);
    if (known != null && !expires.isAfter(known)) {
      return;
    }
    try {
      Optional<String> kept = notes.update(organization, note(id, "latest-expiry"), v -> v.isPresent()
          && !Instant.parse(v.get()).isBefore(expires) ? v : Optional.of(expires.toString()));
      recorded.merge(id, Instant.parse(kept.orElseThrow()), (a, b) -> a.isAfter(b) ? a : b);
    } catch (RuntimeException e) {
      LOG.warn("{}: cannot record that key pair {} signed a URL valid until {} ({}); its removal may be reported"
          + " early", organization, id, expires, e.toString());
    }
  }
}
