package org.binarybackends.cloudfront;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.binarybackends.BinaryBackend;
import org.binarybackends.Secret;
import org.binarybackends.VerificationReport;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.VerificationReport.Status;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.SharedNotes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code verify()} through the edge emulator: each way a distribution can be set up wrong, told
 * apart by CloudFront's error documents, with the cause named.
 */
class CloudFrontVerifyTest {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();
  private static int orgs;

  private S3Settings bucket;
  private CloudFrontFixture.Distribution d;

  @BeforeEach
  void distribution() {
    fixture.useClock(Clock.systemUTC());
    bucket = fixture.onboard("verify-" + (++orgs), "fw/");
    d = fixture.distribution(bucket, "");
    d.edge().trust("KRSA", fixture.publicKey("rsa-public.pem", "RSA"));
  }

  private CloudFrontSettings.Builder settings(String endpoint) {
    return CloudFrontSettings.builder().host(CloudFrontFixture.HOST).endpoint(endpoint).origin(bucket)
        .key("KRSA", Secret.of(fixture.pem("rsa-pkcs8.pem")), null);
  }

  private VerificationReport verify(CloudFrontSettings settings, Clock clock) {
    try (BinaryBackend b = new CloudFrontBackendProvider().create(settings, fixture.context(clock,
        SharedNotes.inProcess()))) {
      return b.verify();
    }
  }

  private VerificationReport verify(CloudFrontSettings.Builder settings) {
    return verify(settings.build(), Clock.systemUTC());
  }

  private static Check check(VerificationReport r, String name) {
    return r.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError(
        "no check " + name + " in " + r));
  }

  @Test
  void aHealthyDistributionServesTheProbeSignedAndRefusesItUnsignedAndTheProbeIsRemoved() {
    VerificationReport r = verify(settings(d.edge().baseUrl().toString()));
    assertThat(r.passed()).as(r.toString()).isTrue();
    assertThat(r.checks()).extracting(Check::name).containsExactly("origin-put-probe", "signed-get", "unsigned-get",
        "origin-delete-probe");
    assertThat(r.checks()).extracting(Check::status).containsOnly(Status.PASSED);
    String probe = d.origin().lastKey();
    assertThat(probe).startsWith("fw/.binary-backends/probes/");
    assertThat(d.origin().fetch("/" + probe)).as("the probe is deleted").isEmpty();
    VerificationReport again = verify(settings(d.edge().baseUrl().toString()));
    assertThat(d.origin().lastKey()).as("a new probe key per run: no edge cache answers for it").isNotEqualTo(probe);
    assertThat(again.passed()).isTrue();
  }

  @Test
  void aKeyNotInTheKeyGroupIsNamed() {
    d.edge().untrust("KRSA");
    Check c = check(verify(settings(d.edge().baseUrl().toString())), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("KRSA is not in the distribution's trusted key group", "InvalidKey");
    assertThat(c.retryable()).isFalse();
  }

  @Test
  void theWrongPrivateKeyIsAccessDeniedAtTheEdge() {
    d.edge().trust("KRSA", fixture.publicKey("rsa2-public.pem", "RSA"));
    Check c = check(verify(settings(d.edge().baseUrl().toString())), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("refused the signature of key pair KRSA", "the private key is not the one")
        .doesNotContain("clock");
  }

  @Test
  void aServiceClockBehindTheEdgesIsNamedAsTheCause() {
    Clock behind = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10));
    VerificationReport r = verify(settings(d.edge().baseUrl().toString()).build(), behind);
    Check c = check(r, "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).containsPattern("the edge.s clock is (59[0-9]|60[0-9]) s ahead of this service.s");
  }

  @Test
  void aBucketPolicyThatDoesNotLetTheDistributionReadIsTheOriginsRefusal() {
    d.origin().bucketPolicyAllowsRead(false);
    Check c = check(verify(settings(d.edge().baseUrl().toString())), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("the bucket refused it", "403 AccessDenied from S3", "bucket policy",
        bucket.bucket().value() + "/fw/*", "cloudFrontReadAccess");
  }

  @Test
  void aDistributionServingUnsignedRequestsFailsVerification() {
    d.edge().requireSignedUrls(false);
    VerificationReport r = verify(settings(d.edge().baseUrl().toString()));
    assertThat(check(r, "signed-get").status()).isEqualTo(Status.PASSED);
    Check c = check(r, "unsigned-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("without a signature", "Restrict viewer access");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void aHostTheDistributionDoesNotServeIsNamed() {
    d.edge().servesHost(false);
    Check c = check(verify(settings(d.edge().baseUrl().toString())), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("does not serve " + CloudFrontFixture.HOST, "alternate domain name");
  }

  @Test
  void aHostThatIsNotCloudFrontAtAllIsNamed() {
    Check c = check(verify(settings(fixture.s3.endpoint().toString())), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("without CloudFront's X-Amz-Cf-Id header", "not this distribution's domain");
  }

  @Test
  void anUnreachableHostIsRetryable() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Check c = check(verify(settings("http://127.0.0.1:" + port)), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("cannot reach http://127.0.0.1:" + port);
    assertThat(c.retryable()).isTrue();
  }

  @Test
  void anOriginPathThatMapsToAnotherPrefixIsNamed() {
    CloudFrontFixture.Distribution elsewhere = fixture.distribution(bucket, "/other");
    elsewhere.edge().trust("KRSA", fixture.publicKey("rsa-public.pem", "RSA"));
    Check c = check(verify(settings(elsewhere.edge().baseUrl().toString())), "signed-get");
    assertThat(c.status()).isEqualTo(Status.FAILED);
    assertThat(c.detail()).contains("origin path");
    assertThat(elsewhere.origin().lastKey()).startsWith("other/fw/.binary-backends/probes/");
  }

  /**
   * CloudFront's MissingKey and MalformedPolicy answer URLs changed on the way (a proxy dropping the
   * query string, a truncated policy), which a correct signer never produces: a stand-in edge answers
   * them with CloudFront's documents and headers.
   */
  @Test
  void urlsChangedOnTheWayAreToldApart() throws Exception {
    for (String[] doc : new String[][] {{"MissingKey", "Missing Key-Pair-Id query parameter or cookie value",
        "strips the query string"}, {"MalformedPolicy", "Malformed Policy", "policy malformed"}}) {
      byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + doc[0] + "</Code><Message>" + doc[1]
          + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
      byte[] head = ("HTTP/1.1 403 Forbidden\r\nServer: CloudFront\r\nX-Amz-Cf-Id: stand-in\r\nContent-Type: text/xml"
          + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        Thread standIn = new Thread(() -> {
          while (!server.isClosed()) {
            try (Socket s = server.accept()) {
              BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
              for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                // the request's head, read to its end
              }
              s.getOutputStream().write(head);
              s.getOutputStream().write(body);
            } catch (IOException e) {
              // closed at the end of the test
            }
          }
        }, "stand-in edge");
        standIn.setDaemon(true);
        standIn.start();
        Check c = check(verify(settings("http://127.0.0.1:" + server.getLocalPort())), "signed-get");
        assertThat(c.status()).isEqualTo(Status.FAILED);
        assertThat(c.detail()).contains(doc[0], doc[2]);
      }
    }
  }

  @Test
  void aBucketTheRoleMayNotWriteSkipsTheDistributionWithTheS3Diagnosis() {
    fixture.s3.faults().denyFor(bucket.roleArn().toString(), org.binarybackends.testkit.s3.S3Operation.PUT_OBJECT);
    try {
      VerificationReport r = verify(settings(d.edge().baseUrl().toString()));
      assertThat(check(r, "origin-put-probe").status()).isEqualTo(Status.FAILED);
      assertThat(check(r, "origin-put-probe").detail()).contains("s3:PutObject");
      assertThat(check(r, "signed-get").status()).isEqualTo(Status.SKIPPED);
      assertThat(d.edge().requests()).isZero();
    } finally {
      fixture.s3.faults().clear();
    }
  }

  @Test
  void theReportNeverShowsKeyMaterial() {
    d.edge().untrust("KRSA");
    VerificationReport r = verify(settings(d.edge().baseUrl().toString()));
    String pem = fixture.pem("rsa-pkcs8.pem");
    String body = pem.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    assertThat(r.passed()).isFalse();
    assertThat(r.toString()).contains("KRSA").doesNotContain(body.substring(0, 20));
  }
}
