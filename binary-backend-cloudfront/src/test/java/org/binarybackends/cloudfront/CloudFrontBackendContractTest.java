package org.binarybackends.cloudfront;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BinaryBackend;
import org.binarybackends.Secret;
import org.binarybackends.SignedUrl;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.SharedNotes;
import org.binarybackends.testkit.BinaryBackendContract;
import org.binarybackends.testkit.DirectUploadContract;
import org.binarybackends.testkit.Download;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract suite against the CloudFront backend: storage through the embedded S3 server and the
 * role chain, signed URLs fetched through the edge emulator in front of the bucket (origin path
 * {@code /tenant}, bucket prefix {@code tenant/fw-store/}, RSA key, SHA-256).
 */
class CloudFrontBackendContractTest extends BinaryBackendContract implements DirectUploadContract {
  @RegisterExtension
  static final CloudFrontFixture fixture = CloudFrontFixture.start();
  private static final String PREFIX = "tenant/fw-store/";

  /** The S3 server judges the role sessions by the STS clock, which is the test's: it starts now. */
  @Override
  protected Instant start() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  @Override
  protected boolean servesOneOrganization() {
    return true;
  }

  @Override
  protected BinaryBackend createBackend(BackendContext context) {
    fixture.useClock(context.clock());
    S3Settings bucket = fixture.onboard(organization().value(), PREFIX);
    CloudFrontFixture.Distribution d = fixture.distribution(bucket, "/tenant");
    d.edge().trust("K2JCJMDEHXQW5F", fixture.publicKey("rsa-public.pem", "RSA"));
    CloudFrontSettings settings = CloudFrontSettings.builder().host(CloudFrontFixture.HOST)
        .endpoint(d.edge().baseUrl().toString()).key("K2JCJMDEHXQW5F", Secret.of(fixture.pem("rsa-pkcs8.pem")), null)
        .hashAlgorithm(CloudFrontSigner.HashAlgorithm.SHA256).originPath("/tenant").origin(bucket).build();
    return new CloudFrontBackendProvider().create(settings, fixture.context(context.clock(), SharedNotes.inProcess()));
  }

  /** The bucket's prefix takes 16 of S3's 1,024 bytes. */
  @Override
  protected int maxKeyBytes() {
    return 1024 - PREFIX.length();
  }

  @Override
  protected long partSize() {
    return 5L << 20;
  }

  /** Expiries are rounded down to a step of at most a quarter of the TTL, so that devices share URLs. */
  @Override
  protected Duration urlExpiryRounding(Duration ttl) {
    return ttl.dividedBy(4);
  }

  /** Behind Origin Access Control without s3:ListBucket, S3 answers CloudFront 403 for a missing object. */
  @Override
  protected int missingBinaryStatus() {
    return 403;
  }

  @Override
  protected Download fetch(SignedUrl url) throws Exception {
    return Download.fetch(url);
  }
}
