package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.Violation;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An organization trying, through the settings it registers, to reach another organization's
 * bytes, the platform's storage root, or a host of its own with the platform's credentials: every
 * way is refused at {@code register}, with the field named, and nothing is staged or sent.
 */
class TenantIsolationTest {
  private static final OrganizationId ATTACKER = OrganizationId.of("4b1d0000-0000-4000-8000-00000000a77a");
  private static final OrganizationId VICTIM = OrganizationId.of("3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00");
  /** Only the platform's configuration names it. */
  private static final Secret PLATFORM_ROOT_ID = DefaultStorageSettings.newRootId();
  private static final String OWN_KEY = Base64.getEncoder().encodeToString(
      "attacker-chosen-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8));

  @TempDir Path dir;
  private final BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
  private final InMemoryStateStore store = new InMemoryStateStore();
  private BinaryBackend platform;
  private BinaryBackends binaries;
  private final java.util.List<BinaryBackends> instances = new java.util.ArrayList<>();
  private java.net.ServerSocket attackerHost;
  private final AtomicInteger requestsToAttackerHost = new AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    platform = registry.create(DefaultStorageSettings.builder().root(dir.resolve("platform"))
        .rootId(PLATFORM_ROOT_ID)
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
        .addSigningKey(SigningKey.of("k1", Secret.ofBytes("platform-key-0123456789abcdef012345".getBytes(
            StandardCharsets.UTF_8)))).build(), BackendContext.defaults());
    binaries = platformWith(ActivationPolicy.defaults());
    // the organization's own host: counts every connection the platform would open to it
    attackerHost = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(() -> {
      while (!attackerHost.isClosed()) {
        try (java.net.Socket s = attackerHost.accept()) {
          requestsToAttackerHost.incrementAndGet();
          s.shutdownOutput(); // and answers nothing
        } catch (java.io.IOException e) {
          return; // closed
        }
      }
    }, "attacker-host");
    accept.setDaemon(true);
    accept.start();
  }

  @AfterEach
  void stop() throws java.io.IOException {
    attackerHost.close();
    instances.forEach(BinaryBackends::close);
    platform.close();
  }

  /** The platform as a service wires it, with {@code policy}: on the shared store and default storage. */
  private BinaryBackends platformWith(ActivationPolicy policy) {
    BinaryBackends b = BinaryBackends.builder().stateStore(store).defaultStorage(platform).registry(registry)
        .policy(policy).scheduled(false).build();
    instances.add(b);
    return b;
  }

  private String attackerUrl() {
    return "http://127.0.0.1:" + attackerHost.getLocalPort() + "/";
  }

  private static String s3(OrganizationId org, String extra) {
    return "{\"type\":\"s3\",\"organization\":\"" + org.value() + "\",\"bucket\":\"victim-firmware\","
        + "\"region\":\"eu-west-1\",\"roleArn\":\"arn:aws:iam::123456789012:role/binaries\",\"roleName\":\"fw\"" + extra
        + "}";
  }

  private InvalidConfigurationException refused(String upload, String download) {
    Optional<SettingsJson> d = Optional.ofNullable(download).map(SettingsJson::of);
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(
        () -> binaries.register(ATTACKER, SettingsJson.of(upload), d, "mallory"));
    assertThat(t).isInstanceOf(InvalidConfigurationException.class);
    assertThat(store.get(ATTACKER).flatMap(OrganizationState::staged)).as("nothing staged").isEmpty();
    assertThat(store.get(ATTACKER).flatMap(OrganizationState::active)).isEmpty();
    return (InvalidConfigurationException) t;
  }

  @Test
  void theDefaultTypeNamingThePlatformsRootWithAKeyOfItsOwnIsRefused() {
    String json = "{\"type\":\"default\",\"root\":\"" + dir.resolve("platform") + "\",\"downloadServerAddress\":"
        + "\"127.0.0.1:0\",\"signingKeys\":[{\"id\":\"mine\",\"secret\":\"" + OWN_KEY + "\"}]}";
    InvalidConfigurationException e = refused(json, null);
    assertThat(e.violations()).extracting(Violation::field).containsExactly("upload.type");
    assertThat(e.getMessage()).contains("[cloudfront, s3]").doesNotContain(OWN_KEY);
  }

  /**
   * A platform that allows organizations storage of type default (an on-premises one) still keeps
   * them out of its own root: the root opens only under the id the platform's configuration names,
   * which the organization does not know (it may guess), and no root may lie inside another.
   */
  @Test
  void evenWhereTheDefaultTypeIsAllowedThePlatformsRootNeverOpensToAnOrganization() throws Exception {
    org.binarybackends.ObjectKey key = org.binarybackends.ObjectKey.of("fw/victim.bin");
    byte[] victimBytes = "the victim's firmware".getBytes(StandardCharsets.UTF_8);
    platform.put(VICTIM, key, new java.io.ByteArrayInputStream(victimBytes));
    BinaryBackends permissive = platformWith(ActivationPolicy.builder().allowedTypes("s3", "default").build());
    String root = dir.resolve("platform").toString();
    String own = "\",\"downloadBaseUri\":\"http://h/\",\"signingKeys\":[{\"id\":\"mine\",\"secret\":\"" + OWN_KEY + "\"}]}";
    // without an id: refused at register, nothing staged
    assertThatThrownBy(() -> permissive.register(ATTACKER, SettingsJson.of("{\"type\":\"default\",\"root\":\"" + root + own),
        Optional.empty(), "mallory")).isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("upload.rootId"));
    assertThat(store.get(ATTACKER)).isEmpty();
    // a guessed id, and a root inside the platform's (an organization's key space not written yet):
    // accepted as settings, but their storage never opens, so it never verifies
    String guessed = DefaultStorageSettings.newRootId().revealUtf8();
    String inside = dir.resolve("platform").resolve("objects").resolve("o" + OrganizationId.of(
        "00000000-0000-4000-8000-000000000001").value()).toString();
    for (String[] attempt : new String[][] {{root, "rootId"}, {inside, "inside the root"}}) {
      permissive.register(ATTACKER, SettingsJson.of("{\"type\":\"default\",\"root\":\"" + attempt[0] + "\",\"rootId\":\""
          + guessed + own), Optional.empty(), "mallory");
      for (int i = 0; i < 4; i++) {
        OrganizationStatus status = permissive.check(ATTACKER);
        assertThat(status.active()).as("never active").isEmpty();
        assertThat(status.uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.DEFAULT_STORAGE);
      }
      OrganizationState state = store.get(ATTACKER).orElseThrow();
      String reason = state.staged().orElseThrow().uploadState().reason();
      assertThat(reason).contains(attempt[1]).doesNotContain(guessed).doesNotContain(PLATFORM_ROOT_ID.revealUtf8());
    }
    assertThat(java.nio.file.Files.exists(Path.of(inside))).as("nothing created inside the platform's root").isFalse();
    // the platform's own storage and the victim's bytes are untouched
    try (org.binarybackends.BinaryContent content = platform.read(VICTIM, key)) {
      assertThat(content.stream().readAllBytes()).isEqualTo(victimBytes);
    }
    assertThat(java.nio.file.Files.readString(dir.resolve("platform").resolve("binary-backends-storage.properties")))
        .contains("id=" + PLATFORM_ROOT_ID.revealUtf8());
  }

  @Test
  void s3SettingsNamingAnotherOrganizationAreRefused() {
    InvalidConfigurationException e = refused(s3(VICTIM, ""), null);
    assertThat(e.violations()).extracting(Violation::field).containsExactly("upload.organization");
    assertThat(e.getMessage()).contains(VICTIM.value(), ATTACKER.value());
  }

  @Test
  void aDistributionWhoseOriginNamesAnotherOrganizationIsRefused() throws Exception {
    java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    String distribution = "{\"type\":\"cloudfront\",\"host\":\"d111111abcdef8.cloudfront.net\",\"keys\":[{\"keyPairId\":"
        + "\"K2JCJMDEHXQW5F\",\"privateKey\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(pem)
        + "}],\"origin\":" + s3(VICTIM, "") + "}";
    InvalidConfigurationException e = refused(s3(ATTACKER, ""), distribution);
    assertThat(e.violations()).extracting(Violation::field).contains("download.organization");
    assertThat(e.getMessage()).doesNotContain("PRIVATE KEY");
  }

  /**
   * The distribution's origin is the bucket of the upload configuration reached the same way: the
   * same bucket through another role (or KMS key) is refused, as downloads and uploads would not see
   * one bucket the same way.
   */
  @Test
  void aDistributionWhoseOriginReachesTheBucketAnotherWayIsRefused() throws Exception {
    java.security.KeyPairGenerator rsa = java.security.KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(rsa.generateKeyPair().getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    String upload = s3(ATTACKER, "");
    String otherRole = upload.replace("\"roleName\":\"fw\"", "\"roleName\":\"other\"");
    org.assertj.core.api.Assertions.assertThat(otherRole).isNotEqualTo(upload);
    String distribution = "{\"type\":\"cloudfront\",\"host\":\"d111111abcdef8.cloudfront.net\",\"keys\":[{\"keyPairId\":"
        + "\"K2JCJMDEHXQW5F\",\"privateKey\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(pem)
        + "}],\"origin\":" + otherRole + "}";
    InvalidConfigurationException e = refused(upload, distribution);
    assertThat(e.violations()).extracting(Violation::field).containsExactly("download.origin");
    assertThat(e.getMessage()).doesNotContain("PRIVATE KEY");
    // the same distribution in front of the upload configuration's own settings is accepted
    String same = distribution.replace(otherRole, upload);
    binaries.register(ATTACKER, SettingsJson.of(upload), Optional.of(SettingsJson.of(same)), "alice");
    assertThat(store.get(ATTACKER).flatMap(OrganizationState::staged)).isPresent();
  }

  @Test
  void endpointsNamedByAnOrganizationAreRefusedAndNothingIsSentThere() {
    InvalidConfigurationException e = refused(s3(ATTACKER, ",\"stsEndpoint\":\"" + attackerUrl() + "\",\"s3Endpoint\":\""
        + attackerUrl() + "\",\"pathStyleAccess\":true"), null);
    assertThat(e.violations()).extracting(Violation::field)
        .containsExactlyInAnyOrder("upload.s3Endpoint", "upload.stsEndpoint");
    binaries.check(ATTACKER); // nothing registered: nothing to verify, nothing sent
    assertThat(requestsToAttackerHost).hasValue(0);
  }

  @Test
  void everyRefusalOfOneRegistrationIsReportedAtOnce() {
    InvalidConfigurationException e = refused(s3(VICTIM, ",\"stsEndpoint\":\"" + attackerUrl() + "\""),
        "{\"type\":\"default\",\"root\":\"" + dir.resolve("platform") + "\",\"downloadBaseUri\":\"http://h/\","
            + "\"signingKeys\":[{\"id\":\"mine\",\"secret\":\"" + OWN_KEY + "\"}]}");
    assertThat(e.violations()).extracting(Violation::field)
        .containsExactlyInAnyOrder("upload.organization", "upload.stsEndpoint", "download.type");
  }

  @Test
  void aPlatformMayAllowMoreTypesAndEndpointsButNeverAnotherOrganization() {
    ActivationPolicy open = ActivationPolicy.builder().allowedTypes("s3", "default").allowEndpointOverrides(true).build();
    BinaryBackends permissive = platformWith(open);
    permissive.register(ATTACKER, SettingsJson.of(s3(ATTACKER, ",\"s3Endpoint\":\"" + attackerUrl() + "\"")),
        Optional.empty(), "platform-test");
    assertThat(store.get(ATTACKER).flatMap(OrganizationState::staged)).isPresent();
    assertThatThrownBy(() -> permissive.register(ATTACKER, SettingsJson.of(s3(VICTIM, "")), Optional.empty(), "m"))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("upload.organization"));
    assertThatThrownBy(() -> ActivationPolicy.builder().allowedTypes("S3", "").build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("allowedTypes"));
  }
}
