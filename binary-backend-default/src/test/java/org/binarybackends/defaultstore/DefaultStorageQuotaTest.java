package org.binarybackends.defaultstore;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.Secret;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.activation.StateKey;
import org.binarybackends.quota.StorageQuotas;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.ForwardingStateStore;
import org.binarybackends.testkit.QuotaContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quotas on the filesystem default storage, its usage in the JSON file store's notes: every
 * instance is another {@link BinaryBackends} on the one store (as the instances of one host share
 * its directory) and on the one storage.
 */
class DefaultStorageQuotaTest extends QuotaContract {
  @TempDir
  Path dir;
  private JsonFileStateStore store;
  private BinaryBackend storage;

  @BeforeEach
  void open() {
    store = JsonFileStateStore.open(dir.resolve("state"), List.of(new StateKey("k1",
        Secret.ofBytes("0123456789abcdef0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8)))));
    storage = new DefaultStorageProvider().create(TestSettings.withServer(dir.resolve("binaries")).build(),
        BackendContext.builder().clock(clock).build());
  }

  @AfterEach
  void close() {
    storage.close();
    store.close();
  }

  @Override
  protected BinaryBackends instance(StorageQuotas quotas, Clock clock) {
    return instanceOn(new ForwardingStateStore(store), storage, quotas, clock);
  }

  @Override
  protected BinaryBackend storage() {
    return storage;
  }

  @Override
  protected NoteStore notes() {
    return store;
  }
}
