package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.junit.jupiter.api.Test;

/**
 * The signed download contract: a URL that downloads the binary until the expiry it reports, on the
 * backend's clock, and no longer; missing binaries; TTLs refused. Implemented by {@link
 * BinaryBackendContract}.
 */
public interface SignedDownloadContract extends ContractSubject {
  @Test
  default void aSignedUrlDownloadsTheBinaryUntilItExpiresOnTheBackendsClock() throws Exception {
    long size = 2 * part() + 1;
    putGenerated("fw/dl.bin", 71, size);
    Instant signedAt = clock().instant();
    SignedUrl url = backend().signDownloadUrl(org(), ObjectKey.of("fw/dl.bin"), Duration.ofMinutes(10));
    assertThat(url.expiresAt()).isAfter(signedAt.plus(Duration.ofMinutes(10)).minus(expiryRounding(
        Duration.ofMinutes(10)))).isBeforeOrEqualTo(signedAt.plus(Duration.ofMinutes(10)));
    assertThat(url.toString()).doesNotContain(url.uri().getRawQuery() == null ? "\u0000" : url.uri().getRawQuery());

    Download ok = download(url);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.length()).isEqualTo(size);
    assertThat(ok.sha256()).isEqualTo(GeneratedContent.sha256(71, size));

    clock().set(url.expiresAt().minusSeconds(1));
    assertThat(download(url).status()).isEqualTo(200);
    clock().set(url.expiresAt());
    assertThat(download(url).status()).isEqualTo(403);
  }

  @Test
  default void aSignedUrlOfAMissingBinaryAnswers404() throws Exception {
    SignedUrl url = backend().signDownloadUrl(org(), ObjectKey.of("fw/none.bin"), Duration.ofMinutes(1));
    assertThat(download(url).status()).isEqualTo(missingStatus());
  }

  @Test
  default void zeroNegativeAndMissingTtlsAreRefused() {
    for (Duration ttl : new Duration[] {Duration.ZERO, Duration.ofSeconds(-5), null, Duration.ofDays(100_000)}) {
      assertThatThrownBy(() -> backend().signDownloadUrl(org(), ObjectKey.of("fw/a.bin"), ttl))
          .isInstanceOfSatisfying(InvalidInputException.class,
              e -> assertThat(e.violations()).extracting(v -> v.field()).containsExactly("ttl"));
    }
  }
}
