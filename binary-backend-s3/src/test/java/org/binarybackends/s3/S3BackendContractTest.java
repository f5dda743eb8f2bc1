package org.binarybackends.s3;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BinaryBackend;
import org.binarybackends.SignedUrl;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.BinaryBackendContract;
import org.binarybackends.testkit.DirectUploadContract;
import org.binarybackends.testkit.Download;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The S3 backend passes the contract suite against the embedded S3 server, through the role chain
 * of the local STS, with 5 MiB parts (S3's smallest) so that multipart uploads are exercised.
 */
class S3BackendContractTest extends BinaryBackendContract implements DirectUploadContract {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();

  /** The S3 server judges presigned URLs by the wall clock: the test's clock starts now. */
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
    // every request of the whole contract, presigned ones included, must name the bucket's owner
    fixture.s3.requireExpectedOwner(true);
    return fixture.backend(fixture.onboard(organization().value(), true), context.clock(),
        new S3Transfer(partSize(), 4));
  }

  @Override
  protected long partSize() {
    return S3Transfer.MIN_PART;
  }

  @Override
  protected Download fetch(SignedUrl url) throws Exception {
    return Download.fetch(url);
  }
}
