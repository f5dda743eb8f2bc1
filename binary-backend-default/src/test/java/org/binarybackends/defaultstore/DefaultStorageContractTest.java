package org.binarybackends.defaultstore;

import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.binarybackends.BinaryBackend;
import org.binarybackends.SignedUrl;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.BinaryBackendContract;
import org.binarybackends.testkit.Download;
import org.junit.jupiter.api.io.TempDir;

/** The default storage passes the contract, downloads going through its embedded HTTP server. */
class DefaultStorageContractTest extends BinaryBackendContract {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

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
    HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(url.uri()).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      return Download.of(response.statusCode(), body);
    }
  }
}
