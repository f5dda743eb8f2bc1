package com.example.binaries.memory;

import org.binarybackends.BinaryBackend;
import org.binarybackends.SignedUrl;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.BinaryBackendContract;
import org.binarybackends.testkit.Download;

/** The example plugin passes the same contract as the project's own backends: these few lines. */
class InMemoryBackendContractTest extends BinaryBackendContract {
  private InMemoryBackend memory;

  @Override
  protected BinaryBackend createBackend(BackendContext context) {
    memory = (InMemoryBackend) new InMemoryBackendProvider().create(new InMemorySettings("tck", 256L << 20), context);
    return memory;
  }

  @Override
  protected long partSize() {
    return InMemoryBackend.CHUNK_BYTES;
  }

  @Override
  protected Download fetch(SignedUrl url) {
    InMemoryBackend.Response response = memory.download(url.uri());
    return Download.of(response.status(), response.body());
  }
}
