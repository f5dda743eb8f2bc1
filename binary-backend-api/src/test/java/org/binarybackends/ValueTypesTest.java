package org.binarybackends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.binarybackends.spi.SettingsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

  @ParameterizedTest
  @ValueSource(strings = {"3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00", "ab", "Org_1+=,.@-", "12345678901234567890123456789012345678"})
  void organizationIdsValidForIamAndStsAreAccepted(String id) {
    assertThat(OrganizationId.of(id).value()).isEqualTo(id);
  }

  @Test
  void organizationIdsSayWhichRuleTheyBreak() {
    assertThatThrownBy(() -> OrganizationId.of("a")).hasMessageContaining("2 to 38 characters (it has 1)")
        .hasMessageContaining("ExternalId");
    assertThatThrownBy(() -> OrganizationId.of("x".repeat(39))).hasMessageContaining("64-character role-name limit");
    assertThatThrownBy(() -> OrganizationId.of("org/1")).hasMessageContaining("U+002F at index 3");
    assertThatThrownBy(() -> OrganizationId.of("org:1")).hasMessageContaining("A-Z a-z 0-9 _ + = , . @ -");
    assertThatThrownBy(() -> OrganizationId.of(null)).hasMessageContaining("organizationId is missing");
  }

  @Test
  void keysOrderByUtf8BytesAndValidateLength() {
    assertThat(ObjectKey.of("\uFFFD").compareTo(ObjectKey.of("\uD83D\uDE00"))).isNegative();
    assertThat(ObjectKey.of("é".repeat(512)).utf8()).hasSize(1024);
    assertThat(ObjectKey.of("\uD83D\uDE00".repeat(256)).utf8()).hasSize(1024);
    assertThatThrownBy(() -> ObjectKey.of("\uD83D\uDE00".repeat(256) + "a")).hasMessageContaining("it has 1025");
    assertThat(ObjectKey.of("a/.b/..c/...")).isNotNull();
    assertThatThrownBy(() -> ObjectKey.ofUtf8(new byte[] {(byte) 0xC3})).hasMessageContaining("UTF-8");
  }

  @Test
  void aHugeBadKeyGivesAShortMessage() {
    String huge = "\u0001" + "x".repeat(100_000);
    assertThatThrownBy(() -> ObjectKey.of(huge)).satisfies(e -> assertThat(e.getMessage().length()).isLessThan(600))
        .hasMessageContaining("\\u0001").hasMessageContaining("(100001 characters)");
  }

  @Test
  void listPrefixesFollowTheKeyRulesButMayBeEmptyOrEndInADot() {
    assertThat(ListRequest.builder().prefix("").build().prefix()).isEmpty();
    assertThat(ListRequest.builder().prefix("fw/.").build().prefix()).isEqualTo("fw/.");
    assertThatThrownBy(() -> ListRequest.builder().prefix("/abs")).hasMessageContaining("prefix");
    assertThatThrownBy(() -> ListRequest.builder().prefix("a/../b")).hasMessageContaining("prefix");
    assertThatThrownBy(() -> ListRequest.builder().pageSize(1001)).hasMessageContaining("pageSize").hasMessageContaining("1 to 1000");
    assertThatThrownBy(() -> ListRequest.builder().pageSize(0)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void digestsParseHexOfEitherCaseOnly() {
    String hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assertThat(Sha256Digest.ofHex(hex.toUpperCase()).hex()).isEqualTo(hex);
    assertThat(Sha256Digest.ofHex(hex)).isEqualTo(Sha256Digest.ofHex(hex.toUpperCase()));
    assertThat(Sha256Digest.ofHex(hex).base64()).isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    assertThatThrownBy(() -> Sha256Digest.ofHex(hex.substring(1))).hasMessageContaining("it has 63 characters");
    assertThatThrownBy(() -> Sha256Digest.ofHex(hex.replace('e', 'z'))).hasMessageContaining("'z' at index 0");
    assertThatThrownBy(() -> Sha256Digest.of(new byte[31])).hasMessageContaining("exactly 32 bytes");
  }

  @Test
  void rangesResolveAgainstTheSize() {
    assertThat(ByteRange.all().resolve(0)).isEqualTo(new ByteRange.Resolved(0, 0));
    assertThat(ByteRange.of(10, 19).resolve(100)).isEqualTo(new ByteRange.Resolved(10, 10));
    assertThat(ByteRange.of(90, 1000).resolve(100)).isEqualTo(new ByteRange.Resolved(90, 10));
    assertThat(ByteRange.suffix(10).resolve(100)).isEqualTo(new ByteRange.Resolved(90, 10));
    assertThat(ByteRange.suffix(1000).resolve(100)).isEqualTo(new ByteRange.Resolved(0, 100));
    assertThat(ByteRange.from(0)).isSameAs(ByteRange.all());
    assertThat(ByteRange.of(0, 9).toHttpHeader()).isEqualTo("bytes=0-9");
    assertThat(ByteRange.from(5).toHttpHeader()).isEqualTo("bytes=5-");
    assertThat(ByteRange.suffix(5).toHttpHeader()).isEqualTo("bytes=-5");
    assertThatThrownBy(() -> ByteRange.from(100).resolve(100)).isInstanceOfSatisfying(RangeNotSatisfiableException.class,
        e -> assertThat(e.size()).isEqualTo(100));
    assertThatThrownBy(() -> ByteRange.suffix(1).resolve(0)).isInstanceOf(RangeNotSatisfiableException.class);
  }

  @Test
  void secretsNeverShowTheirValue() throws Exception {
    Secret secret = Secret.of("hunter2-very-secret");
    assertThat(secret.toString()).isEqualTo("***");
    assertThat(secret.revealUtf8()).isEqualTo("hunter2-very-secret");
    assertThat(secret).isEqualTo(Secret.of("hunter2-very-secret")).isNotEqualTo(Secret.of("other"));
    ObjectMapper json = new ObjectMapper();
    assertThat(json.writeValueAsString(Map.of("key", secret))).isEqualTo("{\"key\":\"***\"}");
    assertThatThrownBy(() -> json.readValue("\"***\"", Secret.class)).hasRootCauseInstanceOf(InvalidInputException.class)
        .rootCause().hasMessageContaining("cannot be read back");
    assertThat(json.readValue("\"abc\"", Secret.class)).isEqualTo(Secret.of("abc"));
    assertThatThrownBy(() -> Secret.ofBase64("signingKey", "not*base64!hunter2"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("signingKey")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("base64!"));
  }

  @Test
  void settingsReaderNeverEchoesTheInputOfMalformedJson() {
    assertThatThrownBy(() -> SettingsReader.parse("{\"secret\": \"hunter2\" oops}"))
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("line 1")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    assertThatThrownBy(() -> SettingsReader.parse("[1,2]")).hasMessageContaining("a JSON object");
    assertThatThrownBy(() -> SettingsReader.parse(null)).hasMessageContaining("settings is missing");
  }

  @Test
  void settingsReaderNamesNestedFieldsAndHidesSecrets() {
    SettingsReader r = SettingsReader.parse("{\"keys\":[{\"id\":\"a\",\"secret\":\"!!hunter2\"},{\"id\":5,\"extra\":1},3],"
        + "\"size\":\"big\",\"typo\":\"hunter3\"}");
    for (SettingsReader key : r.requiredObjects("keys", "keys")) {
      key.requiredString("id", "an id");
      key.requiredSecretBase64("secret", "base64");
    }
    r.optionalLong("size", 1, 10, 5, "a size");
    assertThatThrownBy(() -> r.finish(() -> "unused")).isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
      assertThat(e.violations()).extracting(Violation::field).containsExactlyInAnyOrder(
          "keys[0].secret", "keys[1].id", "keys[1].secret", "keys[2]", "size", "typo", "keys[1].extra");
      assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("hunter3");
    });
  }

  @Test
  void locationsAndStoredBinariesRoundTripThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    StoredBinary stored = new StoredBinary(new BinaryLocation(
        BackendInstanceId.of("s3", Map.of("region", "eu-west-1", "bucket", "b", "prefix", "p/")),
        OrganizationId.of("org-1"), ObjectKey.of("fw/é.bin")), 42,
        Sha256Digest.ofHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        Instant.parse("2026-11-27T12:00:00.123456789Z"));
    String text = json.writeValueAsString(stored);
    assertThat(text).contains("\"bucket\":\"b\"").contains("\"key\":\"fw/é.bin\"");
    assertThat(json.readValue(text, StoredBinary.class)).isEqualTo(stored);
    assertThat(stored.location().instance().toString()).isEqualTo("s3{bucket=b, prefix=p/, region=eu-west-1}");
  }

  @Test
  void signedUrlsHideTheirSignature() {
    SignedUrl url = new SignedUrl(URI.create("https://h/o/k?expires=1&sig=SECRET"), Instant.EPOCH);
    assertThat(url.toString()).doesNotContain("SECRET").contains("https://h/o/k?***");
    assertThat(url.redacted()).isEqualTo("https://h/o/k?***");
  }

  @Test
  void instanceIdsValidateTheirType() {
    assertThatThrownBy(() -> BackendInstanceId.of("S3")).hasMessageContaining("lower-case");
    assertThatThrownBy(() -> BackendInstanceId.of("s3", Map.of("bad name", "x"))).hasMessageContaining("attribute");
  }

  @Test
  void exceptionsListEveryViolation() {
    InvalidInputException e = new InvalidInputException(java.util.List.of(
        Violation.of("a", "1", "x"), Violation.missing("b", "y"), Violation.ofSecret("c", "z")));
    assertThat(e.getMessage()).isEqualTo("invalid input: a = \"1\" (allowed: x); b is missing (allowed: y); c = *** (allowed: z)");
    AccessDeniedException denied = new AccessDeniedException("PutObject on b/k", java.util.List.of("policy", "SCP"), "Access Denied", null);
    assertThat(denied.getMessage()).isEqualTo(
        "access denied: PutObject on b/k (the storage said: \"Access Denied\"); possible causes: 1) policy; 2) SCP");
  }
}
