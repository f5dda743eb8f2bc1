package org.binarybackends.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.IntegrityException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.spi.Instrumentation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * What the entry point does around every backend, whatever the backend: the MDC of each operation
 * (the caller's own values put back), and the outcome of each failure as the {@code outcome} tag.
 * The backend here is a scripted one (it fails on demand the ways real ones fail, and records the
 * MDC it ran in); the real backends' meters are seen moving in the CloudFront module's story.
 */
class EntryPointMetersTest {
  private static final OrganizationId ORG = OrganizationId.of("mdc-org");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Scripted backend = new Scripted();

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  private BinaryBackends binaries() {
    return BinaryBackends.builder().stateStore(new InMemoryStateStore()).defaultStorage(backend)
        .instrumentation(MicrometerInstrumentation.of(registry)).scheduled(false).build();
  }

  @Test
  void everyOperationRunsWithTheOrganizationAndTheInstanceInTheMdcAndTheCallersValuesComeBack() {
    MDC.put(Instrumentation.MDC_ORGANIZATION, "the caller's own");
    MDC.put("request", "r-17");
    try (BinaryBackends binaries = binaries()) {
      BinaryBackend b = binaries.defaultStorage();
      b.put(ORG, ObjectKey.of("a.bin"), new ByteArrayInputStream(new byte[10]));
      b.stat(ORG, ObjectKey.of("a.bin"));
      b.list(ORG, ListRequest.builder().build());
      b.signDownloadUrl(ORG, ObjectKey.of("a.bin"), Duration.ofMinutes(1));
      b.delete(ORG, ObjectKey.of("a.bin"));
      assertThat(backend.seen).hasSize(5).allSatisfy(mdc -> {
        assertThat(mdc).containsEntry(Instrumentation.MDC_ORGANIZATION, "mdc-org")
            .containsEntry(Instrumentation.MDC_BACKEND, "scripted{root=r1}").containsEntry("request", "r-17");
      });
      assertThat(MDC.get(Instrumentation.MDC_ORGANIZATION)).isEqualTo("the caller's own");
      assertThat(MDC.get(Instrumentation.MDC_BACKEND)).as("not set by the caller: removed").isNull();
      assertThat(MDC.get("request")).isEqualTo("r-17");

      backend.failWith = new BackendUnavailableException("down", true, null);
      assertThatThrownBy(() -> b.stat(ORG, ObjectKey.of("a.bin"))).isSameAs(backend.failWith);
      assertThat(MDC.get(Instrumentation.MDC_ORGANIZATION)).as("after a failure too").isEqualTo("the caller's own");
    }
  }

  @Test
  void eachFailureIsCountedAsItsKindNeverItsMessage() {
    try (BinaryBackends binaries = binaries()) {
      BinaryBackend b = binaries.defaultStorage();
      Map<String, RuntimeException> failures = Map.of(
          "not_found", new BinaryNotFoundException(BackendInstanceId.of("scripted"), ORG, ObjectKey.of("a.bin")),
          "access_denied", new AccessDeniedException("stat for mdc-org", List.of(), "denied", null),
          "unavailable", new BackendUnavailableException("down", true, null),
          "integrity", new IntegrityException("digest differs for mdc-org"),
          "error", new IllegalStateException("a bug, mdc-org"));
      failures.forEach((outcome, e) -> {
        backend.failWith = e;
        assertThatThrownBy(() -> b.stat(ORG, ObjectKey.of("a.bin"))).isSameAs(e);
        assertThat(registry.get("binary.backend.stat").tags("backend.type", "scripted", "outcome", outcome).timer()
            .count()).as(outcome).isEqualTo(1);
      });
      backend.failWith = null;
      b.stat(ORG, ObjectKey.of("a.bin"));
      assertThat(registry.get("binary.backend.stat").tags("outcome", "success").timer().count()).isEqualTo(1);
      assertThat(registry.find("binary.backend.stat").timers()).hasSize(6);
      registry.getMeters().forEach(m -> m.getId().getTags().forEach(t -> assertThat(t.getValue())
          .as(m.getId().toString()).doesNotContain("mdc-org")));
    }
  }

  @Test
  void aReadIsTimedToItsOpeningAndItsBytesCountedAsFarAsTheCallerReadWhenClosed() throws Exception {
    try (BinaryBackends binaries = binaries()) {
      BinaryBackend b = binaries.defaultStorage();
      try (BinaryContent c = b.read(ORG, ObjectKey.of("a.bin"))) {
        assertThat(c.stream().transferTo(java.io.OutputStream.nullOutputStream())).isEqualTo(4096);
        assertThat(registry.find("binary.backend.read.bytes").counter()).as("not before it is closed").isNull();
      }
      try (BinaryContent c = b.read(ORG, ObjectKey.of("a.bin"))) {
        c.stream().skip(100);
        c.stream().read(new byte[50]);
        c.stream().read();
        c.stream().close(); // and again by the try: counted once
      }
      assertThat(registry.get("binary.backend.read.bytes").counter().count()).isEqualTo(4096 + 151);
      assertThat(registry.get("binary.backend.read").tags("outcome", "success").timer().count()).isEqualTo(2);
    }
  }

  /** A backend answering from a script, recording the MDC of every call. */
  private static final class Scripted implements BinaryBackend {
    private final BackendInstanceId id = BackendInstanceId.of("scripted", Map.of("root", "r1"));
    final List<Map<String, String>> seen = new ArrayList<>();
    volatile RuntimeException failWith;

    private StoredBinary call() {
      seen.add(new HashMap<>(MDC.getCopyOfContextMap()));
      if (failWith != null) {
        throw failWith;
      }
      return new StoredBinary(new BinaryLocation(id, ORG, ObjectKey.of("a.bin")), 4096,
          org.binarybackends.Sha256Digest.ofHex("00".repeat(32)), Instant.EPOCH);
    }

    @Override
    public BackendInstanceId instanceId() {
      return id;
    }

    @Override
    public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
      return call();
    }

    @Override
    public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
      StoredBinary s = call();
      return new BinaryContent(s, range.resolve(s.size()), new ByteArrayInputStream(new byte[4096]));
    }

    @Override
    public StoredBinary stat(OrganizationId organization, ObjectKey key) {
      return call();
    }

    @Override
    public DeleteResult delete(OrganizationId organization, ObjectKey key) {
      call();
      return DeleteResult.DELETED;
    }

    @Override
    public ListPage list(OrganizationId organization, ListRequest request) {
      call();
      return new ListPage(List.of(), java.util.Optional.empty());
    }

    @Override
    public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
      call();
      return new SignedUrl(java.net.URI.create("https://example.com/a.bin"), Instant.EPOCH.plus(ttl));
    }

    @Override
    public VerificationReport verify() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "scripted";
    }
  }
}
