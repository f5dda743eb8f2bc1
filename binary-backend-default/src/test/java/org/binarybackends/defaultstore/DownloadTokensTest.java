package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import org.binarybackends.defaultstore.DownloadAuthorization.Denial;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.Test;

class DownloadTokensTest {
  private static final URI BASE = URI.create("https://downloads.example.com/fw/");
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00.750Z"));

  private static DefaultStorageSettings.Builder settings() {
    return DefaultStorageSettings.builder().root(Path.of("/unused")).rootId(TestSettings.ROOT_ID).downloadBaseUri(BASE)
        .addSigningKey(SigningKey.of("k1", TestSettings.KEY_1));
  }

  private final DownloadTokens tokens = DownloadTokens.of(settings().build(), clock);

  private DownloadAuthorization check(DownloadTokens t, URI uri) {
    return t.check(uri.getRawPath().substring(BASE.getRawPath().length()), uri.getRawQuery());
  }

  @Test
  void onlyTheSpellingTheLibraryWritesIsAccepted() {
    SignedUrl url = tokens.sign(BASE, ORG, ObjectKey.of("fw/a.bin"), Duration.ofMinutes(5));
    assertThat(check(tokens, url.uri()).granted()).isTrue();
    String u = url.uri().toString();
    String sig = u.substring(u.indexOf("sig=") + 4);
    String expires = u.replaceAll(".*expires=([0-9]+).*", "$1");
    assertThat(sig).hasSize(43);
    // the same 32 bytes in base64 with its last character's two unused bits set: decodes alike
    char last = sig.charAt(42);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    String flipped = sig.substring(0, 42) + alphabet.charAt(alphabet.indexOf(last) | 1);
    assertThat(java.util.Base64.getUrlDecoder().decode(flipped)).isEqualTo(java.util.Base64.getUrlDecoder().decode(sig));
    for (String variant : new String[] {u.replace("sig=" + sig, "sig=" + sig + "="),
        u.replace("sig=" + sig, "sig=" + flipped), u.replace("expires=" + expires, "expires=0" + expires),
        u.replace("expires=" + expires, "expires=%2B" + expires), u.replace("expires=" + expires, "expires=+" + expires)}) {
      assertThat(check(tokens, URI.create(variant)).granted()).as(variant).isFalse();
    }
  }

  @Test
  void aSignedUrlIsGrantedForItsOrganizationAndKeyUntilItsExpiry() {
    ObjectKey key = ObjectKey.of("fw/v1 (beta)/é+%.bin");
    SignedUrl url = tokens.sign(BASE, ORG, key, Duration.ofMinutes(5));
    assertThat(url.expiresAt()).isEqualTo(Instant.parse("2026-11-27T12:05:00Z")); // whole seconds, rounded down
    assertThat(url.uri().getRawPath()).isEqualTo("/fw/org-a/fw/v1%20%28beta%29/%C3%A9%2B%25.bin");
    DownloadAuthorization auth = check(tokens, url.uri());
    assertThat(auth.granted()).isTrue();
    assertThat(auth.organization()).isEqualTo(ORG);
    assertThat(auth.key()).isEqualTo(key);
    clock.set(Instant.parse("2026-11-27T12:04:59.999Z"));
    assertThat(check(tokens, url.uri()).granted()).isTrue();
    clock.set(Instant.parse("2026-11-27T12:05:00Z"));
    assertThat(check(tokens, url.uri()).denial()).isEqualTo(Denial.EXPIRED);
  }

  @Test
  void fieldsAreLengthPrefixedSoThatShiftingABoundaryBreaksTheSignature() {
    // key "fw1" expiring at E, replayed as key "fw" expiring at "1"+E: same concatenated characters
    SignedUrl url = tokens.sign(BASE, ORG, ObjectKey.of("fw1"), Duration.ofSeconds(100));
    long expires = url.expiresAt().getEpochSecond();
    String forged = url.uri().toString().replace("/org-a/fw1?expires=" + expires, "/org-a/fw?expires=1" + expires);
    assertThat(forged).isNotEqualTo(url.uri().toString());
    assertThat(check(tokens, URI.create(forged)).denial()).isEqualTo(Denial.BAD_SIGNATURE);
  }

  @Test
  void tamperedForeignAndMalformedUrlsAreDenied() {
    SignedUrl url = tokens.sign(BASE, ORG, ObjectKey.of("fw/a.bin"), Duration.ofMinutes(5));
    String u = url.uri().toString();
    assertThat(check(tokens, URI.create(u.replace("/org-a/", "/org-b/"))).denial()).isEqualTo(Denial.BAD_SIGNATURE);
    assertThat(check(tokens, URI.create(u.replace("a.bin", "b.bin"))).denial()).isEqualTo(Denial.BAD_SIGNATURE);
    long e = url.expiresAt().getEpochSecond();
    assertThat(check(tokens, URI.create(u.replace("expires=" + e, "expires=" + (e + 3600)))).denial())
        .isEqualTo(Denial.BAD_SIGNATURE);
    String sig = u.substring(u.indexOf("sig=") + 4);
    String flipped = (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1);
    assertThat(check(tokens, URI.create(u.replace(sig, flipped))).denial()).isEqualTo(Denial.BAD_SIGNATURE);
    assertThat(check(tokens, URI.create(u.replace(sig, "!!"))).denial()).isEqualTo(Denial.BAD_SIGNATURE);
    assertThat(check(tokens, URI.create(u.replace("kid=k1", "kid=k9"))).denial()).isEqualTo(Denial.UNKNOWN_KEY);
    assertThat(check(tokens, URI.create(u + "&sig=" + sig)).denial()).isEqualTo(Denial.MALFORMED);
    assertThat(check(tokens, URI.create(u.substring(0, u.indexOf('?')))).denial()).isEqualTo(Denial.MALFORMED);
    assertThat(check(tokens, URI.create(u.replace("expires=", "expires=x"))).denial()).isEqualTo(Denial.MALFORMED);
    assertThat(tokens.check("org-a", "expires=1&kid=k1&sig=x").denial()).isEqualTo(Denial.MALFORMED);
    assertThat(tokens.check("org-a/..", "expires=1&kid=k1&sig=x").denial()).isEqualTo(Denial.MALFORMED);
    assertThat(tokens.check("org-a/%zz", "expires=1&kid=k1&sig=x").denial()).isEqualTo(Denial.MALFORMED);
    assertThat(tokens.check(null, null).granted()).isFalse();
    assertThatThrownBy(() -> tokens.check("org-a", null).key()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rotationTrustsEveryListedKeyAndSignsWithTheActiveOne() {
    SignedUrl old = tokens.sign(BASE, ORG, ObjectKey.of("a"), Duration.ofHours(1));
    DownloadTokens rotated = DownloadTokens.of(settings().addSigningKey(SigningKey.of("k2", TestSettings.KEY_2))
        .activeSigningKeyId("k2").build(), clock);
    SignedUrl fresh = rotated.sign(BASE, ORG, ObjectKey.of("a"), Duration.ofHours(1));
    assertThat(fresh.uri().getRawQuery()).contains("kid=k2");
    assertThat(check(rotated, old.uri()).granted()).isTrue();
    assertThat(check(rotated, fresh.uri()).granted()).isTrue();
    assertThat(check(tokens, fresh.uri()).denial()).isEqualTo(Denial.UNKNOWN_KEY);
    DownloadTokens retired = DownloadTokens.of(DefaultStorageSettings.builder().root(Path.of("/unused")).rootId(TestSettings.ROOT_ID)
        .downloadBaseUri(BASE).addSigningKey(SigningKey.of("k2", TestSettings.KEY_2)).build(), clock);
    assertThat(check(retired, old.uri()).denial()).isEqualTo(Denial.UNKNOWN_KEY);
  }

  @Test
  void ttlsOutsideOneSecondToTheMaximumAreRefused() {
    DownloadTokens capped = DownloadTokens.of(settings().maxDownloadTtl(Duration.ofHours(2)).build(), clock);
    for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(-1),
        Duration.ofHours(2).plusSeconds(1), null}) {
      assertThatThrownBy(() -> capped.sign(BASE, ORG, ObjectKey.of("a"), ttl))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("ttl").hasMessageContaining("PT2H");
    }
    assertThat(capped.sign(BASE, ORG, ObjectKey.of("a"), Duration.ofHours(2)).expiresAt())
        .isEqualTo(Instant.parse("2026-11-27T14:00:00Z"));
  }
}
