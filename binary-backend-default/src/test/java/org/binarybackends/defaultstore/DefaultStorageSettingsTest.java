package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Violation;
import org.junit.jupiter.api.Test;

/** Settings from JSON and from code: every violation named at once, and no secret ever shown. */
class DefaultStorageSettingsTest {
  private static final String SECRET_TEXT = "correct-horse-battery-staple-0123456789";
  private static final String SECRET_B64 = Base64.getEncoder().encodeToString(SECRET_TEXT.getBytes());
  private static final String ROOT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  private final BinaryBackendRegistry registry = BinaryBackendRegistry.installed();

  @Test
  void completeJsonReadsIntoTheSameSettingsAsTheBuilder() {
    DefaultStorageSettings read = (DefaultStorageSettings) registry.readSettings("{\"type\":\"default\",\"name\":\"acme-nas\","
        + "\"root\":\"/var/lib/binaries\",\"rootId\":\"" + ROOT_ID + "\",\"downloadBaseUri\":\"https://dl.example.com/fw\","
        + "\"downloadServerAddress\":\"127.0.0.1:8080\",\"signingKeys\":[{\"id\":\"k1\",\"secret\":\"" + SECRET_B64
        + "\"},{\"id\":\"k2\",\"secret\":\"" + SECRET_B64 + "\"}],\"activeSigningKeyId\":\"k2\","
        + "\"maxDownloadTtlSeconds\":3600,\"bufferSize\":65536,\"staleTempAgeSeconds\":60}");
    assertThat(read.root()).isEqualTo(Path.of("/var/lib/binaries"));
    assertThat(read.rootId()).isEqualTo(org.binarybackends.Secret.of(ROOT_ID));
    assertThat(read.toString()).doesNotContain(ROOT_ID);
    assertThat(read.instanceId().toString()).isEqualTo("default{name=acme-nas}");
    assertThat(read.downloadBaseUri()).hasValue(URI.create("https://dl.example.com/fw/"));
    assertThat(read.downloadServerAddress()).hasValue(new InetSocketAddress("127.0.0.1", 8080));
    assertThat(read.signingKeys()).extracting(SigningKey::id).containsExactly("k1", "k2");
    assertThat(read.signingKeys().get(0).secret().revealUtf8()).isEqualTo(SECRET_TEXT);
    assertThat(read.activeSigningKeyId()).isEqualTo("k2");
    assertThat(read.maxDownloadTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(read.bufferSize()).isEqualTo(65536);
    assertThat(read.staleTempAge()).isEqualTo(Duration.ofMinutes(1));
    assertThat(read.toBuilder().build().toString()).isEqualTo(read.toString());
  }

  @Test
  void theDownloadServerLimitsReadFromJsonWithDefaultsAndBounds() {
    String base = "{\"type\":\"default\",\"root\":\"/var/lib/binaries\",\"rootId\":\"" + ROOT_ID + "\","
        + "\"downloadServerAddress\":\"127.0.0.1:0\","
        + "\"signingKeys\":[{\"id\":\"k1\",\"secret\":\"" + SECRET_B64 + "\"}]";
    DefaultStorageSettings defaults = (DefaultStorageSettings) registry.readSettings(base + "}");
    assertThat(defaults.maxConnections()).isEqualTo(10_000);
    assertThat(defaults.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.sendStallTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(defaults.ioThreads()).isZero();
    assertThat(defaults.socketSendBufferBytes()).isZero();
    DefaultStorageSettings set = (DefaultStorageSettings) registry.readSettings(base + ",\"maxConnections\":50,"
        + "\"requestHeaderTimeoutSeconds\":5,\"sendStallTimeoutSeconds\":30,\"ioThreads\":2,\"socketSendBufferBytes\":65536}");
    assertThat(set.maxConnections()).isEqualTo(50);
    assertThat(set.requestHeaderTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(set.sendStallTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(set.ioThreads()).isEqualTo(2);
    assertThat(set.socketSendBufferBytes()).isEqualTo(65536);
    assertThat(set.toBuilder().build().toString()).isEqualTo(set.toString());
    assertThatThrownBy(() -> registry.readSettings(base + ",\"maxConnections\":0,\"requestHeaderTimeoutSeconds\":0,"
        + "\"sendStallTimeoutSeconds\":99999,\"ioThreads\":-1,\"socketSendBufferBytes\":100}"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactlyInAnyOrder("maxConnections", "requestHeaderTimeoutSeconds",
                "sendStallTimeoutSeconds", "ioThreads", "socketSendBufferBytes"));
    assertThatThrownBy(() -> DefaultStorageSettings.builder().root(Path.of("/r")).rootId(TestSettings.ROOT_ID)
        .downloadBaseUri(URI.create("http://h/")).addSigningKey(SigningKey.of("k1", org.binarybackends.Secret.ofBytes(SECRET_TEXT.getBytes())))
        .sendStallTimeout(Duration.ofMillis(10)).requestHeaderTimeout(null).socketSendBufferBytes(100).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactlyInAnyOrder("sendStallTimeout", "requestHeaderTimeout",
                "socketSendBufferBytes"));
  }

  @Test
  void theSettingsWriteJsonThatReadsBackToEqualSettingsAndShowsNoSecretForDisplay() {
    DefaultStorageSettings s = DefaultStorageSettings.builder().name("acme-nas").root(Path.of("/var/lib/binaries"))
        .rootId(org.binarybackends.Secret.of(ROOT_ID)).downloadBaseUri(URI.create("https://dl.example.com/fw/"))
        .downloadServerAddress(new InetSocketAddress("::1", 8080))
        .addSigningKey(SigningKey.of("k1", TestSettings.KEY_1)).addSigningKey(SigningKey.of("k2", TestSettings.KEY_2))
        .activeSigningKeyId("k2").maxDownloadTtl(Duration.ofHours(2)).maxConnections(77).build();
    DefaultStorageSettings back = (DefaultStorageSettings) registry.readSettings(s.toSettingsJson().reveal());
    assertThat(back.toString()).isEqualTo(s.toString());
    assertThat(back.rootId()).isEqualTo(s.rootId());
    assertThat(back.signingKeys()).extracting(SigningKey::secret).containsExactly(TestSettings.KEY_1, TestSettings.KEY_2);
    assertThat(back.toJson()).isEqualTo(s.toJson());
    String shown = s.toJson();
    assertThat(shown).doesNotContain(ROOT_ID).doesNotContain(TestSettings.KEY_1.revealUtf8())
        .doesNotContain(Base64.getEncoder().encodeToString(TestSettings.KEY_1.reveal())).contains("\"***\"")
        .containsPattern("\"downloadServerAddress\":\"\\[[0-9a-f:]+\\]:8080\"");
    assertThatThrownBy(() -> registry.readSettings(shown)).isInstanceOfSatisfying(InvalidConfigurationException.class,
        e -> assertThat(e.violations()).extracting(Violation::field).contains("rootId", "signingKeys[0].secret"));
    assertThatThrownBy(() -> s.toBuilder().sendStallTimeout(Duration.ofMillis(1500)).build().toJson())
        .isInstanceOf(org.binarybackends.InvalidInputException.class).hasMessageContaining("sendStallTimeout");
  }

  @Test
  void everyViolationIsNamedWithItsFieldAndNoSecretIsShown() {
    String shortSecret = Base64.getEncoder().encodeToString("hunter2-too-short".getBytes());
    String json = "{\"type\":\"default\",\"rootId\":\"Z" + SECRET_TEXT + "\",\"downloadBaseUri\":\"ftp://dl.example.com/\","
        + "\"downloadServerAddress\":\"nohost\",\"signingKeys\":[{\"id\":\"bad id!\",\"secret\":\"" + shortSecret
        + "\"},{\"id\":\"k2\",\"secret\":\"%%" + SECRET_TEXT + "\"},{\"id\":\"k3\"}],"
        + "\"activeSigningKeyId\":\"k9\",\"maxDownloadTtlSeconds\":0,\"bufferSize\":\"big\",\"signingKey\":\"" + SECRET_TEXT + "\"}";
    assertThatThrownBy(() -> registry.readSettings(json))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
          assertThat(e.violations()).extracting(Violation::field).containsExactlyInAnyOrder(
              "root", "rootId", "downloadBaseUri", "downloadServerAddress", "signingKeys[0].id", "signingKeys[0].secret",
              "signingKeys[1].secret", "signingKeys[2].secret", "activeSigningKeyId", "maxDownloadTtlSeconds",
              "bufferSize", "signingKey");
          assertThat(e.getMessage()).doesNotContain(SECRET_TEXT).doesNotContain(shortSecret).doesNotContain("hunter2")
              .doesNotContain(SECRET_B64);
          assertThat(e.getMessage()).contains("at least 32 bytes; it has 17").contains("1 to 31536000");
        });
  }

  @Test
  void theBuilderReportsEveryViolationAtOnce() {
    assertThatThrownBy(() -> DefaultStorageSettings.builder().name("Bad Name").bufferSize(12).maxDownloadTtl(Duration.ZERO)
        .staleTempAge(Duration.ofSeconds(-1)).root(Path.of("/x".repeat(300))).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactlyInAnyOrder("name", "root", "rootId", "downloadBaseUri", "signingKeys",
                "maxDownloadTtl", "bufferSize", "staleTempAge"));
    assertThatThrownBy(() -> DefaultStorageSettings.builder().root(Path.of("/r")).rootId(TestSettings.ROOT_ID)
        .downloadBaseUri(URI.create("/relative"))
        .addSigningKey(SigningKey.of("a", TestSettings.KEY_1)).addSigningKey(SigningKey.of("a", TestSettings.KEY_2))
        .build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("downloadBaseUri", "signingKeys"));
  }

  @Test
  void noSecretInToStringOrJson() throws Exception {
    DefaultStorageSettings settings = TestSettings.withServer(Path.of("/r")).build();
    String secret = TestSettings.KEY_1.revealUtf8();
    assertThat(settings.toString()).doesNotContain(secret).contains("k1").contains("***");
    assertThat(settings.signingKeys().get(0).toString()).isEqualTo("SigningKey{id=k1, secret=***}");
    String json = new ObjectMapper().writeValueAsString(settings.signingKeys().get(0));
    assertThat(json).doesNotContain(secret).contains("\"***\"");
    assertThatThrownBy(() -> SigningKey.of("k", org.binarybackends.Secret.of("short-hunter2")))
        .hasMessageNotContaining("short-hunter2").hasMessageContaining("secret = ***");
  }
}
