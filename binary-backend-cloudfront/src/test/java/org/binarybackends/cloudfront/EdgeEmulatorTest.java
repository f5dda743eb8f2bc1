package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.binarybackends.testkit.CloudFrontEdgeEmulator;
import org.binarybackends.testkit.ManualClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signed URLs fetched through the testkit's edge emulator, which verifies them with the JDK alone. */
class EdgeEmulatorTest {
  private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
  /** The signers' clock: the expiries these tests sign are in its future, whatever today is. */
  private static final java.time.Clock SIGNING_CLOCK = java.time.Clock.fixed(NOW, java.time.ZoneOffset.UTC);
  private static final ManualClock CLOCK = new ManualClock(NOW);
  private static final Map<String, byte[]> OBJECTS = Map.of("/fw/v2/image%20a.bin", "image a".getBytes(),
      "/fw/v2/b.bin", "b".getBytes(), "/other/c.bin", "c".getBytes());

  @TempDir
  static Path dir;
  static CloudFrontEdgeEmulator edge;
  static CloudFrontKey rsa;
  static CloudFrontKey ec;

  @BeforeAll
  static void start() throws Exception {
    Keys.make(dir);
    rsa = CloudFrontKey.parse(Keys.read(dir.resolve("rsa-pkcs8.pem")), Optional.empty());
    ec = CloudFrontKey.parse(Keys.read(dir.resolve("ec-sec1.pem")), Optional.empty());
    edge = CloudFrontEdgeEmulator.start(path -> Optional.ofNullable(OBJECTS.get(path)), CLOCK);
    edge.trust("KRSA", Keys.publicKey(dir.resolve("rsa-public.pem"), "RSA"));
    edge.trust("KEC", Keys.publicKey(dir.resolve("ec-public.pem"), "EC"));
  }

  @AfterAll
  static void stop() {
    edge.close();
  }

  /** Status and body of a GET (java.net.http is not among this module's requirements). */
  private record Response(int statusCode, String body) {}

  private static Response get(URI uri) throws Exception {
    return get(uri, null);
  }

  private static Response get(URI uri, SignedCookies cookies) throws Exception {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    if (cookies != null) {
      c.setRequestProperty("Cookie", cookies.cookieHeader());
    }
    try {
      int status = c.getResponseCode();
      try (var in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        return new Response(status, in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    } finally {
      c.disconnect();
    }
  }

  @Test
  void cannedUrlsOfBothKeyTypesAndHashesServeTheObjectUntilTheyExpire() throws Exception {
    CLOCK.set(NOW);
    for (CloudFrontKey key : new CloudFrontKey[] {rsa, ec}) {
      for (HashAlgorithm hash : HashAlgorithm.values()) {
        String id = key == rsa ? "KRSA" : "KEC";
        CloudFrontSigner signer = CloudFrontSigner.forBaseUrl(edge.baseUrl(), id, key, hash).withClock(SIGNING_CLOCK);
        SignedUrl url = signer.signCanned("", ObjectKey.of("fw/v2/image a.bin"), Map.of(), NOW.plusSeconds(60));
        Response ok = get(url.uri());
        assertThat(ok.statusCode()).as(id + " " + hash).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("image a");
        CLOCK.set(url.expiresAt());
        assertThat(get(url.uri()).body()).contains("<Code>AccessDenied</Code>");
        CLOCK.set(NOW);
      }
    }
  }

  @Test
  void eachFailureGetsCloudFrontsOwnErrorDocument() throws Exception {
    CloudFrontSigner signer = CloudFrontSigner.forBaseUrl(edge.baseUrl(), "KEC", ec, HashAlgorithm.SHA1).withClock(SIGNING_CLOCK);
    String url = signer.signCanned("", ObjectKey.of("fw/v2/b.bin"), Map.of(), NOW.plusSeconds(60)).uri().toString();
    assertThat(get(URI.create(url.replaceAll("&Key-Pair-Id=[^&]*", ""))).body()).contains("<Code>MissingKey</Code>");
    assertThat(get(URI.create(url.replace("Key-Pair-Id=KEC", "Key-Pair-Id=KNEW"))).body())
        .contains("<Code>InvalidKey</Code>").contains("Unknown Key");
    assertThat(get(URI.create(url.replace("fw/v2/b.bin", "other/c.bin"))).body()).contains("<Code>AccessDenied</Code>");
    assertThat(get(URI.create(url.replaceAll("Expires=\\d+", "Expires=abc"))).body()).contains("MalformedPolicy");
    CloudFrontSigner wrongKey = CloudFrontSigner.forBaseUrl(edge.baseUrl(), "KEC", rsa, HashAlgorithm.SHA1).withClock(SIGNING_CLOCK);
    assertThat(get(wrongKey.signCanned("", ObjectKey.of("fw/v2/b.bin"), Map.of(), NOW.plusSeconds(60)).uri()).body())
        .as("signed with another private key").contains("<Code>AccessDenied</Code>");
    Response missing = get(signer.signCanned("", ObjectKey.of("fw/v2/none.bin"), Map.of(),
        NOW.plusSeconds(60)).uri());
    assertThat(missing.statusCode()).as("behind Origin Access Control a missing object is 403").isEqualTo(403);
    URI unsigned = URI.create(url.substring(0, url.indexOf('?')));
    assertThat(get(unsigned).body()).contains("MissingKey");
    edge.requireSignedUrls(false);
    try {
      assertThat(get(unsigned).statusCode()).as("a distribution that does not require signed URLs").isEqualTo(200);
    } finally {
      edge.requireSignedUrls(true);
    }
  }

  @Test
  void customPoliciesCoverAPrefixFromATimeAndAnIpRange() throws Exception {
    CloudFrontSigner signer = CloudFrontSigner.forBaseUrl(edge.baseUrl(), "KRSA", rsa, HashAlgorithm.SHA256).withClock(SIGNING_CLOCK);
    String prefix = edge.baseUrl() + "/fw/v2/*";
    String b = signer.url("", ObjectKey.of("fw/v2/b.bin"), Map.of());
    SignedUrl ok = signer.signCustom(b, prefix, NOW.plusSeconds(60), Optional.of(NOW.minusSeconds(30)),
        Optional.of("127.0.0.0/8"));
    assertThat(get(ok.uri()).body()).isEqualTo("b");
    String a = signer.url("", ObjectKey.of("fw/v2/image a.bin"), Map.of());
    String sameSignatureOtherObject = ok.uri().toString().replace(b, a);
    assertThat(get(URI.create(sameSignatureOtherObject)).body()).as("the wildcard covers the prefix").isEqualTo("image a");
    String outside = ok.uri().toString().replace(b, signer.url("", ObjectKey.of("other/c.bin"), Map.of()));
    assertThat(get(URI.create(outside)).body()).contains("AccessDenied");
    SignedUrl elsewhere = signer.signCustom(b, prefix, NOW.plusSeconds(60), Optional.empty(), Optional.of("10.0.0.0/8"));
    assertThat(get(elsewhere.uri()).body()).contains("AccessDenied");
    SignedUrl later = signer.signCustom(b, prefix, NOW.plusSeconds(600), Optional.of(NOW.plusSeconds(300)),
        Optional.empty());
    assertThat(get(later.uri()).body()).as("not valid yet").contains("AccessDenied");
    CLOCK.set(NOW.plus(Duration.ofSeconds(301)));
    try {
      assertThat(get(later.uri()).body()).isEqualTo("b");
    } finally {
      CLOCK.set(NOW);
    }
    assertThat(new String(get(ok.uri()).body().getBytes(), StandardCharsets.UTF_8)).isEqualTo("b");
  }

  @Test
  void signedCookiesOfBothKeyTypesAndHashesServeTheObjectsTheyCover() throws Exception {
    CLOCK.set(NOW);
    for (CloudFrontKey key : new CloudFrontKey[] {rsa, ec}) {
      for (HashAlgorithm hash : HashAlgorithm.values()) {
        String id = key == rsa ? "KRSA" : "KEC";
        CloudFrontSigner signer = CloudFrontSigner.forBaseUrl(edge.baseUrl(), id, key, hash).withClock(SIGNING_CLOCK);
        URI one = URI.create(signer.url("", ObjectKey.of("fw/v2/image a.bin"), Map.of()));
        SignedCookies canned = signer.cookiesCanned("", ObjectKey.of("fw/v2/image a.bin"), Map.of(),
            NOW.plusSeconds(60));
        assertThat(canned.cookies()).containsKeys("CloudFront-Expires", "CloudFront-Signature", "CloudFront-Key-Pair-Id");
        assertThat(canned.toString()).doesNotContain(canned.cookies().get("CloudFront-Signature"));
        assertThat(get(one, canned).body()).as(id + " " + hash).isEqualTo("image a");
        assertThat(get(URI.create(signer.url("", ObjectKey.of("fw/v2/b.bin"), Map.of())), canned).body())
            .as("a canned policy covers one object").contains("<Code>AccessDenied</Code>");
        assertThat(get(one).body()).as("without the cookies").contains("<Code>MissingKey</Code>");

        SignedCookies prefix = signer.cookiesCustom(edge.baseUrl() + "/fw/v2/*", NOW.plusSeconds(60),
            Optional.of(NOW.minusSeconds(30)), Optional.empty());
        assertThat(prefix.cookies()).containsKeys("CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id");
        assertThat(prefix.cookies().containsKey("CloudFront-Hash-Algorithm")).isEqualTo(hash == HashAlgorithm.SHA256);
        assertThat(get(one, prefix).body()).isEqualTo("image a");
        assertThat(get(URI.create(signer.url("", ObjectKey.of("fw/v2/b.bin"), Map.of())), prefix).body()).isEqualTo("b");
        assertThat(get(URI.create(signer.url("", ObjectKey.of("other/c.bin"), Map.of())), prefix).body())
            .contains("<Code>AccessDenied</Code>");
        CLOCK.set(prefix.expiresAt());
        assertThat(get(one, prefix).body()).contains("<Code>AccessDenied</Code>");
        CLOCK.set(NOW);
      }
    }
  }

  @Test
  void rsaCookiesAreTheSdksOwn() throws Exception {
    CloudFrontSigner signer = CloudFrontSigner.forBaseUrl(edge.baseUrl(), "KRSA", rsa, HashAlgorithm.SHA256).withClock(SIGNING_CLOCK);
    String resource = signer.url("", ObjectKey.of("fw/v2/image a.bin"), Map.of());
    var sdk = software.amazon.awssdk.services.cloudfront.CloudFrontUtilities.create().getCookiesForCannedPolicy(r -> r
        .resourceUrl(resource).privateKey(rsa.privateKey()).keyPairId("KRSA").expirationDate(NOW.plusSeconds(60))
        .hashAlgorithm(software.amazon.awssdk.services.cloudfront.utils.SigningHashAlgorithm.SHA256));
    SignedCookies ours = signer.cookiesCanned("", ObjectKey.of("fw/v2/image a.bin"), Map.of(), NOW.plusSeconds(60));
    assertThat(ours.cookieHeader()).contains(sdk.signatureHeaderValue()).contains(sdk.expiresHeaderValue())
        .contains(sdk.keyPairIdHeaderValue()).contains(sdk.hashAlgorithmHeaderValue());
  }
}
