package org.binarybackends.activation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;
import org.junit.jupiter.api.Test;

/**
 * The pool's own bookkeeping, which the activation tests in the testkit see only from outside (a
 * backend closed or not): a retired backend waits in the pool while a call is in flight, and leaves
 * it once closed, by its last call ending or by its grace time passing.
 */
class BackendPoolTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final SettingsJson ONE = SettingsJson.of("{\"type\":\"plain\",\"name\":\"one\"}");

  private Instant now = Instant.parse("2026-12-01T12:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };
  private final List<PlainBackend> built = new ArrayList<>();
  private final BackendPool pool = new BackendPool(BinaryBackendRegistry.of(new PlainProvider()),
      BackendContext.builder().clock(clock).build(), Duration.ofHours(1));

  @Test
  void aRetiredBackendWithAReadInFlightWaitsInThePoolUntilItsGraceThenLeavesIt() throws Exception {
    BinaryBackend b = pool.acquire(ONE);
    BinaryContent stuck = b.read(ORG, ObjectKey.of("fw.bin"));
    pool.retire(ONE);
    assertThat(pool.retiringCount()).isEqualTo(1);
    assertThat(pool.size()).isZero();
    now = now.plus(Duration.ofMinutes(59));
    pool.sweep();
    assertThat(built.get(0).closed).isFalse();
    assertThat(pool.retiringCount()).isEqualTo(1);
    now = now.plus(Duration.ofMinutes(2));
    pool.sweep();
    assertThat(built.get(0).closed).isTrue();
    assertThat(pool.retiringCount()).isZero();
    assertThatThrownBy(() -> b.read(ORG, ObjectKey.of("fw.bin"))).isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("resolve again");
    stuck.close();
  }

  @Test
  void aRetiredBackendLeavesThePoolWhenItsLastCallEndsAndTheSameSettingsBuildItAgain() throws Exception {
    BinaryBackend b = pool.acquire(ONE);
    assertThat(pool.acquire(ONE)).isSameAs(b);
    BinaryContent reading = b.read(ORG, ObjectKey.of("fw.bin"));
    pool.retire(ONE);
    assertThat(pool.retiringCount()).isEqualTo(1);
    reading.close();
    assertThat(built.get(0).closed).isTrue();
    assertThat(pool.retiringCount()).isZero();
    BinaryBackend again = pool.acquire(ONE);
    assertThat(again).isNotSameAs(b);
    assertThat(built).hasSize(2);
    pool.close();
    assertThat(built.get(1).closed).isTrue();
    assertThat(pool.size()).isZero();
  }

  @Test
  void retiringAnIdleBackendClosesItAtOnce() {
    pool.acquire(ONE);
    pool.retire(ONE);
    assertThat(built.get(0).closed).isTrue();
    assertThat(pool.retiringCount()).isZero();
  }

  record PlainSettings(String name) implements BackendSettings {
    @Override
    public String type() {
      return "plain";
    }

    @Override
    public BackendInstanceId instanceId() {
      return BackendInstanceId.of("plain", java.util.Map.of("name", name));
    }
  }

  final class PlainProvider implements BinaryBackendProvider<PlainSettings> {
    @Override
    public String type() {
      return "plain";
    }

    @Override
    public Class<PlainSettings> settingsType() {
      return PlainSettings.class;
    }

    @Override
    public PlainSettings readSettings(SettingsReader json) {
      json.skip("type");
      String name = json.requiredString("name", "a name");
      return json.finish(() -> new PlainSettings(name));
    }

    @Override
    public BinaryBackend create(PlainSettings settings, BackendContext context) {
      PlainBackend b = new PlainBackend(settings.instanceId());
      built.add(b);
      return b;
    }
  }

  /** A backend whose reads return three bytes; the pool only counts calls, so nothing else is needed. */
  static final class PlainBackend implements BinaryBackend {
    private final BackendInstanceId id;
    volatile boolean closed;

    PlainBackend(BackendInstanceId id) {
      this.id = id;
    }

    @Override
    public BackendInstanceId instanceId() {
      return id;
    }

    @Override
    public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
      StoredBinary binary = new StoredBinary(new BinaryLocation(id, organization, key), 3,
          Sha256Digest.of(new byte[32]), Instant.EPOCH);
      InputStream in = new ByteArrayInputStream(new byte[] {1, 2, 3});
      return new BinaryContent(binary, range.resolve(3), in);
    }

    @Override
    public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
      throw new UnsupportedOperationException("not used by the pool's tests");
    }

    @Override
    public StoredBinary stat(OrganizationId organization, ObjectKey key) {
      throw new UnsupportedOperationException("not used by the pool's tests");
    }

    @Override
    public DeleteResult delete(OrganizationId organization, ObjectKey key) {
      throw new UnsupportedOperationException("not used by the pool's tests");
    }

    @Override
    public ListPage list(OrganizationId organization, ListRequest request) {
      throw new UnsupportedOperationException("not used by the pool's tests");
    }

    @Override
    public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
      throw new UnsupportedOperationException("not used by the pool's tests");
    }

    @Override
    public VerificationReport verify() {
      throw new UnsupportedOperationException("not used by the pool's tests");
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
