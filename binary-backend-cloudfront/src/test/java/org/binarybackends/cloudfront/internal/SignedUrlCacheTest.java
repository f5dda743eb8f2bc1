package org.binarybackends.cloudfront.internal;



import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.binarybackends.cloudfront.CloudFrontKey;
import org.binarybackends.cloudfront.CloudFrontSigner;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.binarybackends.cloudfront.Keys;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignedUrlCacheTest {
  @TempDir
  static Path dir;
  static CloudFrontSigner k1;
  static CloudFrontSigner k2;

  @BeforeAll
  static void keys() throws Exception {
    Keys.make(dir);
    CloudFrontKey ec = CloudFrontKey.parse(Keys.read(dir.resolve("ec-sec1.pem")), Optional.empty());
    // the signers judge expiries on the tests' day, before each test's own clock starts
    java.time.Clock day = java.time.Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), java.time.ZoneOffset.UTC);
    k1 = CloudFrontSigner.forHost("d1234567890.cloudfront.net", "KONE", ec, HashAlgorithm.SHA1).withClock(day);
    k2 = CloudFrontSigner.forHost("d1234567890.cloudfront.net", "KTWO", ec, HashAlgorithm.SHA1).withClock(day);
  }

  @Test
  void aFleetInOneStepGetsOneUrlThatNeverOutlivesTheTtlAndKeepsThreeQuartersOfIt() {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:07Z"));
    SignedUrlCache cache = new SignedUrlCache(Duration.ofMinutes(5), 100, clock);
    ObjectKey fw = ObjectKey.of("fw/v2.bin");
    SignedUrl first = cache.canned(k1, "", fw, Map.of(), Duration.ofHours(1));
    assertThat(first.expiresAt()).isEqualTo(Instant.parse("2026-11-27T13:00:00Z"));
    for (int device = 0; device < 10_000; device++) {
      clock.advance(Duration.ofMillis(29)); // 290 s of requests, all before 12:05
      SignedUrl url = cache.canned(k1, "", fw, Map.of(), Duration.ofHours(1));
      assertThat(url).isSameAs(first);
      assertThat(url.expiresAt()).isBeforeOrEqualTo(clock.instant().plus(Duration.ofHours(1)))
          .isAfterOrEqualTo(clock.instant().plus(Duration.ofMinutes(45)));
    }
    assertThat(cache.signatures()).isEqualTo(1);
    clock.set(Instant.parse("2026-11-27T12:05:00Z"));
    SignedUrl next = cache.canned(k1, "", fw, Map.of(), Duration.ofHours(1));
    assertThat(next.expiresAt()).isEqualTo(Instant.parse("2026-11-27T13:05:00Z"));
    assertThat(cache.signatures()).isEqualTo(2);
  }

  @Test
  void theStepIsAtMostAQuarterOfTheTtlAndTheWindow() {
    SignedUrlCache cache = new SignedUrlCache(Duration.ofMinutes(15), 10, new ManualClock(Instant.EPOCH));
    assertThat(cache.step(Duration.ofHours(24))).isEqualTo(Duration.ofMinutes(15));
    assertThat(cache.step(Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(15));
    assertThat(cache.step(Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(1));
    assertThat(cache.step(Duration.ofSeconds(39))).isEqualTo(Duration.ofSeconds(1));
    assertThat(cache.step(Duration.ofSeconds(1))).isEqualTo(Duration.ofSeconds(1));
    ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00.500Z"));
    SignedUrl oneSecond = new SignedUrlCache(Duration.ofMinutes(15), 10, clock).canned(k1, "", ObjectKey.of("a"),
        Map.of(), Duration.ofSeconds(1));
    assertThat(oneSecond.expiresAt()).isEqualTo(Instant.parse("2026-11-27T12:00:01Z"));
  }

  @Test
  void memoryIsBoundedAndARotatedOutKeysUrlsAreNeverReused() {
    ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00Z"));
    SignedUrlCache cache = new SignedUrlCache(Duration.ofMinutes(5), 50, clock);
    for (int i = 0; i < 500; i++) {
      cache.canned(k1, "", ObjectKey.of("fw/" + i), Map.of(), Duration.ofMinutes(10));
    }
    assertThat(cache.size()).isEqualTo(50);
    SignedUrl old = cache.canned(k1, "", ObjectKey.of("fw/hot"), Map.of(), Duration.ofMinutes(10));
    SignedUrl rotated = cache.canned(k2, "", ObjectKey.of("fw/hot"), Map.of(), Duration.ofMinutes(10));
    assertThat(rotated.uri().getRawQuery()).contains("Key-Pair-Id=KTWO");
    assertThat(rotated).isNotEqualTo(old);
    cache.forget("KONE");
    assertThat(cache.size()).isEqualTo(1);
    assertThatThrownBy(() -> new SignedUrlCache(Duration.ZERO, 0, clock)).isInstanceOfSatisfying(
        InvalidInputException.class, e -> assertThat(e.violations()).hasSize(2));
  }
}
