package org.binarybackends.defaultstore;

import java.nio.file.Path;
import org.binarybackends.BinaryBackend;
import org.binarybackends.SignedUrl;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.BinaryBackendContract;
import org.binarybackends.testkit.Download;
import org.junit.jupiter.api.io.TempDir;

/** The default storage passes the contract, downloads going through its embedded HTTP server. */
class DefaultStorageContractTest extends BinaryBackendContract {

  @TempDir
  Path root;

  @Override
  protected BinaryBackend createBackend(BackendContext context) {
    return new DefaultStorageProvider().create(TestSettings.withServer(root).build(), context);
  }

  @Override
  protected long partSize() {
    return 16 * 1024;
  }

  @Override
  protected Download fetch(SignedUrl url) throws Exception {
    return Download.fetch(url);
  }
}
