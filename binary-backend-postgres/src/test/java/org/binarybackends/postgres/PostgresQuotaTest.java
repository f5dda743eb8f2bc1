package org.binarybackends.postgres;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.Secret;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.defaultstore.DefaultStorageProvider;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.quota.StorageQuotas;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.QuotaContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quotas across service instances on PostgreSQL: every instance has a store of its own (its own
 * connections) on one schema, as hosts behind a load balancer have, so the racing instances of the
 * contract reserve through the database's compare-and-set, not through one process's memory.
 */
class PostgresQuotaTest extends QuotaContract {
  @TempDir
  Path dir;
  private String schema;
  private PostgresStateStore notes;
  private BinaryBackend storage;

  @BeforeEach
  void open() {
    schema = PostgresFixture.freshSchema();
    notes = PostgresFixture.onSchema(schema).build();
    storage = new DefaultStorageProvider().create(DefaultStorageSettings.builder().root(dir.resolve("binaries"))
        .rootId(Secret.of("00112233445566778899aabbccddeeff")).downloadBaseUri(URI.create("https://downloads.example.com/"))
        .addSigningKey(SigningKey.of("k1", Secret.ofBytes("quota-test-signing-key-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8)))).build(), BackendContext.defaults());
  }

  @AfterEach
  void close() {
    storage.close();
    notes.close();
  }

  @Override
  protected BinaryBackends instance(StorageQuotas quotas, Clock clock) {
    return instanceOn(PostgresFixture.onSchema(schema).build(), storage, quotas, clock);
  }

  @Override
  protected BinaryBackend storage() {
    return storage;
  }

  @Override
  protected NoteStore notes() {
    return notes;
  }
}
