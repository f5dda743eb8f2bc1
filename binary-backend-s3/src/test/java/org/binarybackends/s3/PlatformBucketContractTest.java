package org.binarybackends.s3;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.SignedUrl;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.BinaryBackendContract;
import org.binarybackends.testkit.DirectUploadContract;
import org.binarybackends.testkit.Download;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The platform's bucket passes the contract suite, for every organization under its prefix, with the
 * platform's long-lived keys (the server tells them from any STS session), 5 MiB parts, and the
 * expected owner required on every request.
 */
class PlatformBucketContractTest extends BinaryBackendContract implements DirectUploadContract {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private static final String PREFIX = "binaries/";

  @Override
  protected Instant start() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  @Override
  protected BinaryBackend createBackend(BackendContext context) {
    fixture.useClock(context.clock());
    fixture.s3.requireExpectedOwner(true);
    return new PlatformBucketProvider().create(fixture.platformBucket(PREFIX), BackendContext.builder()
        .clock(context.clock()).service(S3Platform.class, fixture.platformWithStorageKeys())
        .service(S3Transfer.class, new S3Transfer(partSize(), 4)).build());
  }

  /** The prefix and the organization's root take their bytes of S3's 1,024. */
  @Override
  protected int maxKeyBytes() {
    return ObjectKey.MAX_UTF8_BYTES - (PREFIX + organization().value() + "/").getBytes(StandardCharsets.UTF_8).length;
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
