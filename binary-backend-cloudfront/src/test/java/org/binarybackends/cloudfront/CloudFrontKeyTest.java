package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CloudFrontKeyTest {
  @TempDir
  static Path dir;

  @BeforeAll
  static void makeKeys() throws Exception {
    Keys.make(dir);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa-pkcs8.pem", "rsa-pkcs1.pem", "rsa-pkcs8.der"})
  void rsa2048KeysAreReadFromEveryFormat(String file) throws Exception {
    CloudFrontKey key = CloudFrontKey.parse(Keys.read(dir.resolve(file)), Optional.empty());
    assertThat(key.algorithm()).isEqualTo(CloudFrontKey.Algorithm.RSA_2048);
    assertThat(key.toString()).isEqualTo("CloudFrontKey{RSA_2048, ***}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ec-sec1.pem", "ec-pkcs8.pem"})
  void p256KeysAreReadFromSec1AndPkcs8(String file) throws Exception {
    assertThat(CloudFrontKey.parse(Keys.read(dir.resolve(file)), Optional.empty()).algorithm())
        .isEqualTo(CloudFrontKey.Algorithm.ECDSA_P256);
  }

  @Test
  void encryptedKeysNeedTheirPassphrase() throws Exception {
    Secret encrypted = Keys.read(dir.resolve("rsa-encrypted.pem"));
    assertThat(CloudFrontKey.parse(encrypted, Optional.of(Secret.of("correct horse"))).algorithm())
        .isEqualTo(CloudFrontKey.Algorithm.RSA_2048);
    assertThatThrownBy(() -> CloudFrontKey.parse(encrypted, Optional.empty()))
        .hasMessageContaining("passphrase is missing");
    assertThatThrownBy(() -> CloudFrontKey.parse(encrypted, Optional.of(Secret.of("wrong horse"))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("does not decrypt it")
        .hasMessageNotContaining("wrong horse");
  }

  @Test
  void whatCloudFrontDoesNotAcceptIsRefusedSayingWhatWasFoundWithoutQuotingIt() throws Exception {
    String[][] cases = {
        {"rsa-1024.pem", "an RSA key of 1024 bits"},
        {"ec-p384.pem", "other than P-256"},
        {"rsa-public.pem", "a public key"},
        {"ec-public.pem", "a public key"},
        {"cert.pem", "a certificate"}};
    for (String[] c : cases) {
      String content = Files.readString(dir.resolve(c[0]));
      String body = content.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
      assertThatThrownBy(() -> CloudFrontKey.parse(Keys.read(dir.resolve(c[0])), Optional.empty()))
          .isInstanceOfSatisfying(InvalidInputException.class, e -> {
            assertThat(e.violations()).extracting(Violation::field).containsExactly("privateKey");
            assertThat(e.getMessage()).as(c[0]).contains(c[1]).doesNotContain(body);
          });
    }
    String pem = Files.readString(dir.resolve("rsa-pkcs8.pem"));
    String secretLine = pem.lines().skip(3).findFirst().orElseThrow();
    for (String bad : new String[] {pem.substring(0, pem.length() / 2), "garbage " + secretLine, "", "\u0000\u0001"}) {
      if (bad.isEmpty()) {
        continue;
      }
      assertThatThrownBy(() -> CloudFrontKey.parse(Secret.of(bad), Optional.empty()))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("privateKey")
          .hasMessageNotContaining(secretLine);
    }
  }
}
