package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.binarybackends.Violation;
import org.binarybackends.cloudfront.CloudFrontSigner.HashAlgorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.cloudfront.CloudFrontUtilities;
import software.amazon.awssdk.services.cloudfront.utils.SigningHashAlgorithm;

/**
 * Signed URLs checked three ways: byte for byte against the SDK's CloudFrontUtilities (RSA), with
 * the JDK's own verifier, and with {@code openssl dgst -verify}. The build runs this class with Amazon
 * Corretto Crypto Provider on the class path and without it ({@code binarybackends.expectCorretto}).
 */
class CloudFrontSignerTest {
  private static final String HOST = "d1234567890.cloudfront.net";
  private static final String KEY_PAIR_ID = "K2JCJMDEHXQW5F";
  private static final Instant EXPIRES = Instant.parse("2026-11-27T13:00:00Z");
  /** The signers' clock: the expiries these tests sign are in its future, whatever today is. */
  private static final java.time.Clock SIGNING_CLOCK = java.time.Clock.fixed(EXPIRES.minusSeconds(3600), java.time.ZoneOffset.UTC);

  @TempDir
  static Path dir;
  static CloudFrontKey rsa;
  static CloudFrontKey ec;

  @BeforeAll
  static void makeKeys() throws Exception {
    Keys.make(dir);
    rsa = CloudFrontKey.parse(Keys.read(dir.resolve("rsa-pkcs1.pem")), Optional.empty());
    ec = CloudFrontKey.parse(Keys.read(dir.resolve("ec-sec1.pem")), Optional.empty());
  }

  private static boolean expectCorretto() {
    String value = System.getProperty("binarybackends.expectCorretto");
    assertThat(value).as("system property binarybackends.expectCorretto, set by the build for each test run")
        .isNotBlank();
    return Boolean.parseBoolean(value);
  }

  private static SigningHashAlgorithm sdk(HashAlgorithm hash) {
    return hash == HashAlgorithm.SHA256 ? SigningHashAlgorithm.SHA256 : SigningHashAlgorithm.SHA1;
  }

  private static Map<String, String> param(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      out.put(pair.substring(0, eq), pair.substring(eq + 1));
    }
    return out;
  }

  private static byte[] fromUrlSafe(String s) {
    return Base64.getDecoder().decode(s.replace('-', '+').replace('_', '=').replace('~', '/'));
  }

  private static String cannedPolicy(String resource, Instant expires) {
    return "{\"Statement\":[{\"Resource\":\"" + resource + "\",\"Condition\":{\"DateLessThan\":{\"AWS:EpochTime\":"
        + expires.getEpochSecond() + "}}}]}";
  }

  /** Verifies with {@code openssl dgst}, independently of Java. */
  private static void assertOpensslVerifies(String publicKeyFile, String digest, String policy, byte[] signature)
      throws Exception {
    Path p = Files.writeString(dir.resolve("policy.txt"), policy, StandardCharsets.UTF_8);
    Path s = Files.write(dir.resolve("signature.bin"), signature);
    Keys.openssl(dir, "dgst", "-" + digest, "-verify", publicKeyFile, "-signature", s.toString(), p.toString());
  }

  @Test
  void keysArePercentEncodedAndTheCallersQueryComesFirst() {
    CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, rsa, HashAlgorithm.SHA1).withClock(SIGNING_CLOCK);
    assertThat(ObjectKey.of("fw/v1 beta/é+%?#~.bin").uriPath())
        .isEqualTo("fw/v1%20beta/%C3%A9%2B%25%3F%23~.bin");
    assertThat(signer.url("", ObjectKey.of("fw/a b.bin"), CloudFrontSigner.query("device", "42 x", "v", "é")))
        .isEqualTo("https://" + HOST + "/fw/a%20b.bin?device=42%20x&v=%C3%A9");
  }

  @Test
  void theProviderThisRunIsForSignsAndTheSignerSaysWhich() {
    for (CloudFrontKey key : new CloudFrontKey[] {rsa, ec}) {
      CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, key, HashAlgorithm.SHA1);
      String expected = expectCorretto() ? "AmazonCorrettoCryptoProvider 2.5.0 (AWS-LC"
          : key == rsa ? "the AWS SDK's CloudFrontUtilities" : "BouncyCastle (RFC 6979 nonces)";
      assertThat(signer.signedBy()).as(key.algorithm().toString()).startsWith(expected);
      assertThat(signer.withClock(SIGNING_CLOCK).signedBy()).isEqualTo(signer.signedBy());
      assertThat(signer.toString()).contains("signed by " + signer.signedBy()).doesNotContain("BEGIN")
          .doesNotContain(java.util.Base64.getEncoder().encodeToString(key.privateKey().getEncoded()).substring(0, 40));
    }
  }

  @Test
  void rsaCustomPoliciesAndCookiesAreByteForByteWhatTheSdkMakes() {
    for (HashAlgorithm hash : HashAlgorithm.values()) {
      CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, rsa, hash).withClock(SIGNING_CLOCK);
      CloudFrontUtilities sdk = CloudFrontUtilities.create();
      String url = signer.url("", ObjectKey.of("fw/v2/a b.bin"), CloudFrontSigner.query("d", "7"));
      String pattern = "https://" + HOST + "/fw/v2/*";
      Instant from = EXPIRES.minusSeconds(600);
      for (Optional<String> ip : java.util.List.of(Optional.<String>empty(), Optional.of("192.0.2.0/24"))) {
        for (Optional<Instant> active : java.util.List.of(Optional.<Instant>empty(), Optional.of(from))) {
          String ours = signer.signCustom(url, pattern, EXPIRES, active, ip).uri().toString();
          String theirs = sdk.getSignedUrlWithCustomPolicy(r -> {
            r.resourceUrl(url).resourceUrlPattern(pattern).privateKey(rsa.privateKey()).keyPairId(KEY_PAIR_ID)
                .expirationDate(EXPIRES).hashAlgorithm(sdk(hash));
            active.ifPresent(r::activeDate);
            ip.ifPresent(r::ipRange);
          }).url();
          assertThat(ours).as(hash + " " + ip + " " + active).isEqualTo(theirs);
          Map<String, String> cookies = signer.cookiesCustom(pattern, EXPIRES, active, ip).cookies();
          var c = sdk.getCookiesForCustomPolicy(r -> {
            r.resourceUrl(pattern).privateKey(rsa.privateKey()).keyPairId(KEY_PAIR_ID).expirationDate(EXPIRES)
                .hashAlgorithm(sdk(hash));
            active.ifPresent(r::activeDate);
            ip.ifPresent(r::ipRange);
          });
          assertThat(cookies.get("CloudFront-Policy")).isEqualTo(c.policyHeaderValue().split("=", 2)[1]);
          assertThat(cookies.get("CloudFront-Signature")).isEqualTo(c.signatureHeaderValue().split("=", 2)[1]);
        }
      }
      Map<String, String> canned = signer.cookiesCanned("", ObjectKey.of("fw/v2/a b.bin"), Map.of(), EXPIRES).cookies();
      var c = sdk.getCookiesForCannedPolicy(r -> r.resourceUrl("https://" + HOST + "/fw/v2/a%20b.bin")
          .privateKey(rsa.privateKey()).keyPairId(KEY_PAIR_ID).expirationDate(EXPIRES).hashAlgorithm(sdk(hash)));
      assertThat(canned.get("CloudFront-Signature")).isEqualTo(c.signatureHeaderValue().split("=", 2)[1]);
      assertThat(canned.get("CloudFront-Expires")).isEqualTo(c.expiresHeaderValue().split("=", 2)[1]);
      assertThat(canned.containsKey("CloudFront-Hash-Algorithm")).isEqualTo(hash == HashAlgorithm.SHA256);
    }
  }

  @Test
  void rsaUrlsAreByteForByteWhatTheSdkMakesAndOpensslVerifiesThem() throws Exception {
    for (HashAlgorithm hash : HashAlgorithm.values()) {
      CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, rsa, hash).withClock(SIGNING_CLOCK);
      SignedUrl url = signer.signCanned("", ObjectKey.of("fw/é 1.bin"), CloudFrontSigner.query("d", "7"), EXPIRES);
      String resource = "https://" + HOST + "/fw/%C3%A9%201.bin?d=7";
      String sdk = CloudFrontUtilities.create().getSignedUrlWithCannedPolicy(r -> r.resourceUrl(resource)
          .privateKey(rsa.privateKey()).keyPairId(KEY_PAIR_ID).expirationDate(EXPIRES)
          .hashAlgorithm(hash == HashAlgorithm.SHA256 ? SigningHashAlgorithm.SHA256 : SigningHashAlgorithm.SHA1)).url();
      assertThat(url.uri().toString()).isEqualTo(sdk);
      assertThat(url.expiresAt()).isEqualTo(EXPIRES);
      Map<String, String> params = param(url.uri().toString());
      assertThat(params.keySet()).containsExactlyElementsOf(hash == HashAlgorithm.SHA256
          ? java.util.List.of("d", "Expires", "Signature", "Key-Pair-Id", "Hash-Algorithm")
          : java.util.List.of("d", "Expires", "Signature", "Key-Pair-Id"));
      assertOpensslVerifies("rsa-public.pem", hash == HashAlgorithm.SHA256 ? "sha256" : "sha1",
          cannedPolicy(resource, EXPIRES), fromUrlSafe(params.get("Signature")));
    }
  }

  @Test
  void ecUrlsMatchTheSdkButTheirSignatureWhichJdkAndOpensslVerify() throws Exception {
    for (HashAlgorithm hash : HashAlgorithm.values()) {
      CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, ec, hash).withClock(SIGNING_CLOCK);
      SignedUrl url = signer.signCanned("", ObjectKey.of("fw/1.bin"), Map.of(), EXPIRES);
      SignedUrl again = signer.signCanned("", ObjectKey.of("fw/1.bin"), Map.of(), EXPIRES);
      if (expectCorretto()) {
        // AWS-LC draws each nonce at random: the same URL signed twice, two signatures, both valid
        assertThat(again).as("random nonces").isNotEqualTo(url);
      } else {
        assertThat(again).as("RFC 6979: deterministic").isEqualTo(url);
      }
      String resource = "https://" + HOST + "/fw/1.bin";
      String sdk = CloudFrontUtilities.create().getSignedUrlWithCannedPolicy(r -> r.resourceUrl(resource)
          .privateKey(ec.privateKey()).keyPairId(KEY_PAIR_ID).expirationDate(EXPIRES)
          .hashAlgorithm(hash == HashAlgorithm.SHA256 ? SigningHashAlgorithm.SHA256 : SigningHashAlgorithm.SHA1)).url();
      assertThat(url.uri().toString().replaceAll("Signature=[^&]*", ""))
          .isEqualTo(sdk.replaceAll("Signature=[^&]*", ""));
      byte[] signature = fromUrlSafe(param(url.uri().toString()).get("Signature"));
      String policy = cannedPolicy(resource, EXPIRES);
      Signature jdk = Signature.getInstance(hash == HashAlgorithm.SHA256 ? "SHA256withECDSA" : "SHA1withECDSA");
      jdk.initVerify(Keys.publicKey(dir.resolve("ec-public.pem"), "EC"));
      jdk.update(policy.getBytes(StandardCharsets.UTF_8));
      assertThat(jdk.verify(signature)).isTrue();
      assertOpensslVerifies("ec-public.pem", hash == HashAlgorithm.SHA256 ? "sha256" : "sha1", policy, signature);
      byte[] second = fromUrlSafe(param(again.uri().toString()).get("Signature"));
      jdk.update(policy.getBytes(StandardCharsets.UTF_8));
      assertThat(jdk.verify(second)).isTrue();
      assertOpensslVerifies("ec-public.pem", hash == HashAlgorithm.SHA256 ? "sha256" : "sha1", policy, second);
    }
  }

  @Test
  void customPoliciesCarryTheirConditionsAndVerify() throws Exception {
    CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, ec, HashAlgorithm.SHA256).withClock(SIGNING_CLOCK);
    String url = signer.url("", ObjectKey.of("fw/v2/image.bin"), Map.of());
    SignedUrl signed = signer.signCustom(url, "https://" + HOST + "/fw/v2/*", EXPIRES,
        Optional.of(EXPIRES.minusSeconds(3600)), Optional.of("192.0.2.0/24"));
    Map<String, String> params = param(signed.uri().toString());
    String policy = new String(fromUrlSafe(params.get("Policy")), StandardCharsets.UTF_8);
    assertThat(policy).isEqualTo("{\"Statement\":[{\"Resource\":\"https://" + HOST + "/fw/v2/*\",\"Condition\":"
        + "{\"DateLessThan\":{\"AWS:EpochTime\":" + EXPIRES.getEpochSecond() + "},\"IpAddress\":{\"AWS:SourceIp\":"
        + "\"192.0.2.0/24\"},\"DateGreaterThan\":{\"AWS:EpochTime\":" + (EXPIRES.getEpochSecond() - 3600) + "}}}]}");
    assertOpensslVerifies("ec-public.pem", "sha256", policy, fromUrlSafe(params.get("Signature")));
    assertThat(params).containsEntry("Hash-Algorithm", "SHA256").containsEntry("Key-Pair-Id", KEY_PAIR_ID);

    CloudFrontSigner rsaSigner = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, rsa, HashAlgorithm.SHA1).withClock(SIGNING_CLOCK);
    Map<String, String> rsaParams = param(rsaSigner.signCustom(url, "https://" + HOST + "/fw/v2/*", EXPIRES,
        Optional.empty(), Optional.empty()).uri().toString());
    assertOpensslVerifies("rsa-public.pem", "sha1", new String(fromUrlSafe(rsaParams.get("Policy")),
        StandardCharsets.UTF_8), fromUrlSafe(rsaParams.get("Signature")));
  }

  @Test
  void whatCouldNeverVerifyIsRefusedWithATypedErrorNamingTheField() {
    CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, ec, HashAlgorithm.SHA1).withClock(SIGNING_CLOCK);
    String url = signer.url("fw/", ObjectKey.of("v2/a.bin"), Map.of());
    // expiries in the past, at the epoch, before it (Expires=-5)
    for (Instant bad : new Instant[] {SIGNING_CLOCK.instant(), SIGNING_CLOCK.instant().minusSeconds(1), Instant.EPOCH,
        Instant.ofEpochSecond(-5)}) {
      assertThatThrownBy(() -> signer.signCanned("", ObjectKey.of("a"), Map.of(), bad)).as(bad.toString())
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
              .extracting(Violation::field).containsExactly("expires"));
      assertThatThrownBy(() -> signer.cookiesCanned("", ObjectKey.of("a"), Map.of(), bad))
          .isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> signer.signCustom(url, url, bad, Optional.empty(), Optional.empty()))
          .isInstanceOf(InvalidInputException.class);
      assertThatThrownBy(() -> signer.cookiesCustom(url, bad, Optional.empty(), Optional.empty()))
          .isInstanceOf(InvalidInputException.class);
    }
    // a custom policy whose resource does not cover the URL it signs
    for (String pattern : new String[] {"https://" + HOST + "/other/*", "https://" + HOST + "/fw/v2/b.bin",
        "http://" + HOST + "/fw/*", "https://" + HOST + "/fw/v2/a.bin?x=1"}) {
      assertThatThrownBy(() -> signer.signCustom(url, pattern, EXPIRES, Optional.empty(), Optional.empty()))
          .as(pattern).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
              .extracting(Violation::field).containsExactly("resourcePattern"));
    }
    for (String pattern : new String[] {url, "https://" + HOST + "/fw/*", "https://" + HOST + "/fw/v?/a.bin", "*",
        "https://" + HOST + "/*/*.bin"}) {
      assertThat(signer.signCustom(url, pattern, EXPIRES, Optional.empty(), Optional.empty()).uri()).as(pattern)
          .isNotNull();
    }
    // IP ranges CloudFront would not read as meant
    for (String cidr : new String[] {"1.2.3/24", "0177.0.0.1/32", "10.0.0.256/8", "10.0.0.0/033", "10.0.0.0/-1",
        "10.0.0.0", "::1/129", "1.2.3.4 /32"}) {
      assertThatThrownBy(() -> signer.signCustom(url, url, EXPIRES, Optional.empty(), Optional.of(cidr))).as(cidr)
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
              .extracting(Violation::field).containsExactly("ipRange"));
    }
    for (String cidr : new String[] {"192.0.2.0/24", "0.0.0.0/0", "10.0.0.1/32", "2001:db8::/32", "::1/128"}) {
      assertThat(signer.signCustom(url, url, EXPIRES, Optional.empty(), Optional.of(cidr)).uri()).as(cidr).isNotNull();
    }
    // path prefixes that are not already-encoded segments ending with '/'
    for (String prefix : new String[] {"fw v2/", "../", "fw/../", "./", "fw", "/fw/", "fw?x/", "fw#/", "fw%zz/"}) {
      assertThatThrownBy(() -> signer.url(prefix, ObjectKey.of("a"), Map.of())).as(prefix)
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
              .extracting(Violation::field).containsExactly("pathPrefix"));
    }
    assertThat(signer.url("fw%20v2/store/", ObjectKey.of("a"), Map.of())).endsWith("/fw%20v2/store/a");
    // a base URL with a fragment
    assertThatThrownBy(() -> CloudFrontSigner.forBaseUrl(java.net.URI.create("https://" + HOST + "#x"), KEY_PAIR_ID,
        ec, HashAlgorithm.SHA1)).isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("baseUrl"));
  }

  @Test
  void badInputIsRefusedBeforeSigning() {
    assertThatThrownBy(() -> CloudFrontSigner.forHost("https://" + HOST, "apka-lower", ec, null))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("host", "keyPairId", "hashAlgorithm"));
    CloudFrontSigner signer = CloudFrontSigner.forHost(HOST, KEY_PAIR_ID, ec, HashAlgorithm.SHA1).withClock(SIGNING_CLOCK);
    assertThatThrownBy(() -> signer.signCanned("", ObjectKey.of("a"), CloudFrontSigner.query("Expires", "9999999999"),
        EXPIRES)).hasMessageContaining("query").hasMessageContaining("Expires");
    assertThatThrownBy(() -> signer.signCanned("", ObjectKey.of("a"), CloudFrontSigner.query("key-pair-id", "X"),
        EXPIRES)).hasMessageContaining("query");
    String url = signer.url("", ObjectKey.of("a"), Map.of());
    assertThatThrownBy(() -> signer.signCustom(url, url, EXPIRES, Optional.of(EXPIRES), Optional.of("10.0.0.0/33")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("activeFrom", "ipRange"));
    assertThatThrownBy(() -> signer.signCustom(url, url, EXPIRES, Optional.empty(), Optional.of("example.com/8")))
        .hasMessageContaining("ipRange");
    String longValue = "x".repeat(8150); // over the limit whatever the length of the signature
    assertThatThrownBy(() -> signer.signCanned("", ObjectKey.of("a"), CloudFrontSigner.query("pad", longValue), EXPIRES))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.getMessage())
            .contains("url").contains("at most 8192 bytes"));
    assertThat(signer.toString()).doesNotContain("BEGIN").contains(KEY_PAIR_ID);
  }
}
