package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Violation;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings read from JSON through the installed registry: every field, every bad value at once, no secret shown. */
class CloudFrontSettingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir
  static Path dir;
  static String rsa;
  static String rsaBody;
  static String ec;

  @BeforeAll
  static void keys() throws Exception {
    Keys.make(dir);
    rsa = Files.readString(dir.resolve("rsa-pkcs8.pem"));
    rsaBody = rsa.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    ec = Files.readString(dir.resolve("ec-sec1.pem"));
  }

  private static ObjectNode origin() {
    return JSON.createObjectNode().put("type", "s3").put("organization", "org-a").put("bucket", "acme-firmware")
        .put("region", "eu-west-1").put("roleArn", "arn:aws:iam::123456789012:role/acme-binaries")
        .put("roleName", "fw").put("prefix", "firmware/store/");
  }

  private static ObjectNode valid() {
    ObjectNode n = JSON.createObjectNode().put("type", "cloudfront").put("host", "d1234567890.cloudfront.net");
    ArrayNode keys = n.putArray("keys");
    keys.addObject().put("keyPairId", "K2JCJMDEHXQW5F").put("privateKey", rsa);
    keys.addObject().put("keyPairId", "KNEWEC0001").put("privateKey", ec);
    n.put("ttlSeconds", 900).put("hashAlgorithm", "SHA256").put("originPath", "/firmware");
    n.set("origin", origin());
    return n;
  }

  private static CloudFrontSettings read(ObjectNode json) {
    return (CloudFrontSettings) BinaryBackendRegistry.installed().readSettings(json.toString());
  }

  private static List<Violation> refused(Consumer<ObjectNode> change) {
    ObjectNode json = valid();
    change.accept(json);
    InvalidConfigurationException e = (InvalidConfigurationException) org.assertj.core.api.Assertions.catchThrowable(
        () -> read(json));
    assertThat(e).as("refused: %s", json.toString().length()).isNotNull();
    assertThat(e.getMessage()).doesNotContain(rsaBody.substring(0, 24)).doesNotContain("correct horse");
    return e.violations();
  }

  @Test
  void theSettingsWriteJsonThatReadsBackToTheSameKeysAndShowsNoneOfThemForDisplay() throws Exception {
    CloudFrontSettings s = read(valid());
    CloudFrontSettings back = (CloudFrontSettings) BinaryBackendRegistry.installed().readSettings(
        s.toSettingsJson().reveal());
    assertThat(back.toString()).isEqualTo(s.toString());
    assertThat(back.origin().toJson()).isEqualTo(s.origin().toJson());
    for (int i = 0; i < s.keys().size(); i++) {
      assertThat(back.keys().get(i).privateKey().privateKey().getEncoded())
          .isEqualTo(s.keys().get(i).privateKey().privateKey().getEncoded());
    }
    assertThat(back.toJson()).isEqualTo(s.toJson());
    String shown = s.toJson();
    String der = java.util.Base64.getEncoder().encodeToString(s.keys().get(0).privateKey().privateKey().getEncoded());
    assertThat(shown).doesNotContain(der.substring(0, 40)).doesNotContain(rsaBody.substring(0, 24)).contains("\"***\"")
        .contains("K2JCJMDEHXQW5F").contains("acme-firmware");
    assertThat(s.toSettingsJson().toString()).doesNotContain(der.substring(0, 40));
    // what is shown cannot be registered in place of the real thing
    assertThatThrownBy(() -> BinaryBackendRegistry.installed().readSettings(shown))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("keys[0].privateKey", "keys[1].privateKey"));
  }

  @Test
  void everyFieldIsReadAndTheUrlPathLeavesOutTheOriginPath() throws Exception {
    CloudFrontSettings s = read(valid());
    assertThat(s.host()).isEqualTo("d1234567890.cloudfront.net");
    assertThat(s.baseUrl()).hasToString("https://d1234567890.cloudfront.net");
    assertThat(s.keys()).extracting(CloudFrontSettings.KeyPair::keyPairId).containsExactly("K2JCJMDEHXQW5F", "KNEWEC0001");
    assertThat(s.keys()).extracting(k -> k.privateKey().algorithm()).containsExactly(CloudFrontKey.Algorithm.RSA_2048,
        CloudFrontKey.Algorithm.ECDSA_P256);
    assertThat(s.ttl()).isEqualTo(Duration.ofMinutes(15));
    assertThat(s.hashAlgorithm()).isEqualTo(HashAlgorithm.SHA256);
    assertThat(s.urlPathPrefix()).isEqualTo("store/");
    assertThat(s.instanceId()).isEqualTo(s.origin().instanceId());
    assertThat(s.toString()).contains("K2JCJMDEHXQW5F").doesNotContain(rsaBody.substring(0, 24));

    ObjectNode minimal = valid();
    minimal.remove(List.of("ttlSeconds", "hashAlgorithm", "originPath"));
    CloudFrontSettings d = read(minimal);
    assertThat(d.ttl()).isEqualTo(Duration.ofSeconds(CloudFrontSettings.DEFAULT_TTL_SECONDS));
    assertThat(d.hashAlgorithm()).isEqualTo(HashAlgorithm.SHA1);
    assertThat(d.urlPathPrefix()).isEqualTo("firmware/store/");
  }

  @Test
  void derAsBase64AndEncryptedKeysWithTheirPassphraseAreRead() throws Exception {
    ObjectNode json = valid();
    ArrayNode keys = json.putArray("keys");
    keys.addObject().put("keyPairId", "KDER").put("privateKey",
        Base64.getMimeEncoder().encodeToString(Files.readAllBytes(dir.resolve("rsa-pkcs8.der"))));
    keys.addObject().put("keyPairId", "KENC").put("privateKey", Files.readString(dir.resolve("rsa-encrypted.pem")))
        .put("passphrase", "correct horse");
    assertThat(read(json).keys()).hasSize(2);
  }

  @Test
  void hostsWithASchemeAPathAPortOrCapitalsAreRefusedSayingWhy() {
    String[][] cases = {{"https://d1234567890.cloudfront.net", "without a scheme"},
        {"d1234567890.cloudfront.net/firmware", "without a path"}, {"d1234567890.cloudfront.net:8443", "without a port"},
        {"D1234567890.cloudfront.net", "lower case"}, {"localhost", "domain name such as"}, {"", "domain name such as"}};
    for (String[] c : cases) {
      List<Violation> v = refused(j -> j.put("host", c[0]));
      assertThat(v).extracting(Violation::field).containsExactly("host");
      assertThat(v.get(0).allowed()).as(c[0]).contains(c[1]);
    }
    assertThat(refused(j -> j.put("endpoint", "http://127.0.0.1:9/path"))).extracting(Violation::field)
        .containsExactly("endpoint");
  }

  @Test
  void ttlsOfZeroNegativeOrAboveSevenDaysAreRefused() {
    for (long ttl : new long[] {0, -1, 59, CloudFrontSettings.MAX_TTL_SECONDS + 1}) {
      assertThat(refused(j -> j.put("ttlSeconds", ttl))).extracting(Violation::field).as("ttl %d", ttl)
          .containsExactly("ttlSeconds");
    }
    assertThat(refused(j -> j.put("ttlSeconds", "3600"))).extracting(Violation::field).containsExactly("ttlSeconds");
  }

  @Test
  void keyPairIdsOfTheWrongShapeAreRefused() {
    for (String id : new String[] {"K2J&Signature=x", "K2J=1", "K2J CJM", "k2jcjmdehxqw5f", "", "K".repeat(65)}) {
      List<Violation> v = refused(j -> ((ObjectNode) j.get("keys").get(1)).put("keyPairId", id));
      assertThat(v).extracting(Violation::field).as(id).containsExactly("keys[1].keyPairId");
      assertThat(v.get(0).allowed()).contains("no spaces, '&' or '='");
    }
    assertThat(refused(j -> ((ObjectNode) j.get("keys").get(1)).put("keyPairId", "K2JCJMDEHXQW5F")))
        .extracting(Violation::allowed).anySatisfy(a -> assertThat(a).contains("repeated"));
  }

  @Test
  void everyMangledKeyFormIsRefusedWithoutEchoingIt() throws Exception {
    String truncated = rsa.substring(0, rsa.length() / 2);
    String[] bad = {truncated, "garbage that is no key", Files.readString(dir.resolve("rsa-public.pem")),
        Files.readString(dir.resolve("cert.pem")), Files.readString(dir.resolve("rsa-1024.pem")),
        Files.readString(dir.resolve("ec-p384.pem")), rsa.replace(rsaBody, rsaBody.substring(0, 30) + "!!"
        + rsaBody.substring(32))};
    for (String key : bad) {
      List<Violation> v = refused(j -> ((ObjectNode) j.get("keys").get(0)).put("privateKey", key));
      assertThat(v).extracting(Violation::field).containsExactly("keys[0].privateKey");
      assertThat(v.get(0).shownValue()).isEqualTo("***");
    }
    String encrypted = Files.readString(dir.resolve("rsa-encrypted.pem"));
    assertThat(refused(j -> ((ObjectNode) j.get("keys").get(0)).put("privateKey", encrypted)))
        .extracting(Violation::field).containsExactly("keys[0].passphrase");
    assertThat(refused(j -> ((ObjectNode) j.get("keys").get(0)).put("privateKey", encrypted).put("passphrase",
        "wrong horse"))).extracting(Violation::field).containsExactly("keys[0].passphrase");
    assertThat(refused(j -> ((ObjectNode) j.get("keys").get(0)).put("privateKey", 12345)))
        .extracting(Violation::shownValue).containsExactly("***");
  }

  @Test
  void everyMistakeIsReportedAtOnceEachNamingItsField() {
    List<Violation> v = refused(j -> {
      j.put("host", "https://x.cloudfront.net").put("ttlSeconds", 0).put("hashAlgorithm", "MD5")
          .put("originPath", "/elsewhere").put("hostname", "typo");
      ((ObjectNode) j.get("origin")).put("bucket", "Not_A_Bucket").put("region", "mars-1");
      ArrayNode keys = j.putArray("keys");
      for (int i = 0; i < 6; i++) {
        keys.addObject().put("keyPairId", "K" + i).put("privateKey", ec);
      }
    });
    assertThat(v).extracting(Violation::field).contains("host", "ttlSeconds", "hashAlgorithm", "hostname", "keys",
        "origin.bucket", "origin.region");
    assertThat(refused(j -> j.put("originPath", "/elsewhere"))).extracting(Violation::allowed)
        .singleElement().asString().contains("the beginning of the bucket's prefix 'firmware/store/'");
    assertThat(refused(j -> j.put("originPath", "/firmware/"))).extracting(Violation::field).containsExactly("originPath");
    assertThat(refused(j -> j.remove("origin"))).extracting(Violation::field).containsExactly("origin");
    assertThat(refused(j -> j.putArray("keys"))).extracting(Violation::field).containsExactly("keys");
  }
}
