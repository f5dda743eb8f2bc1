package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.Violation;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.OrganizationStatus.UploadsGoTo;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.UploadsSuspendedException;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.SharedNotes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one entry point: wired once, every call a service makes, a status for an admin page, one close. */
class BinaryBackendsTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final SettingsJson BUCKET_1 = SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-1"));
  private static final SettingsJson BUCKET_2 = SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-2"));

  private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T12:00:00Z"));
  private final ControlledBackendProvider provider = new ControlledBackendProvider();
  private final List<String> closed = new CopyOnWriteArrayList<>();
  private BinaryBackends binaries;

  /** A store that keeps no notes of its own and says when it is closed. */
  private final class RecordingStore implements org.binarybackends.activation.OrganizationStateStore {
    private final ForwardingStateStore inner = new ForwardingStateStore(new InMemoryStateStore());

    @Override
    public Optional<OrganizationState> get(OrganizationId organization) {
      return inner.get(organization);
    }

    @Override
    public OrganizationState compareAndSet(long expectedVersion, OrganizationState next) {
      return inner.compareAndSet(expectedVersion, next);
    }

    @Override
    public List<OrganizationId> organizations() {
      return inner.organizations();
    }

    @Override
    public void close() {
      closed.add("store");
    }
  }

  private BinaryBackends.Builder builder() {
    return BinaryBackends.builder().stateStore(new RecordingStore()).noteStore(new InMemoryStateStore())
        .defaultStorage(new ControlledBackendProvider.Settings("platform-default"))
        .registry(BinaryBackendRegistry.of(provider)).context(BackendContext.builder().clock(clock).build())
        .policy(ActivationPolicy.builder().jitter(0).allowedTypes("controlled").build()).scheduled(false);
  }

  @AfterEach
  void close() {
    if (binaries != null) {
      binaries.close();
    }
  }

  private StoredBinary upload(String key) {
    return binaries.forUpload(ORG).backend().put(ORG, ObjectKey.of(key),
        new ByteArrayInputStream(key.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void whatIsMissingIsSaidAtOnce() {
    assertThatThrownBy(() -> BinaryBackends.builder().checks(Duration.ZERO, 0).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactlyInAnyOrder("stateStore", "defaultStorage", "checks.tick",
                "checks.parallel"));
  }

  @Test
  void anOrganizationGoesFromTheDefaultStorageToItsOwnAndItsStatusSaysSoAtEachStep() throws Exception {
    binaries = builder().build();
    OrganizationStatus none = binaries.status(ORG);
    assertThat(none.uploadsGoTo()).isEqualTo(UploadsGoTo.DEFAULT_STORAGE);
    assertThat(none.version()).isZero();
    assertThat(none.active()).isEmpty();
    StoredBinary before = upload("before");
    assertThat(before.location().instance()).isEqualTo(binaries.defaultStorage().instanceId());

    provider.control("bucket-1").fail("the role trusts no one");
    OrganizationStatus staged = binaries.register(ORG, BUCKET_1, "alice");
    assertThat(staged.uploadsGoTo()).isEqualTo(UploadsGoTo.DEFAULT_STORAGE);
    assertThat(staged.uploadsReason()).startsWith("pending: ");
    assertThat(staged.staged().orElseThrow().upload().state()).isEqualTo(PartStatus.PENDING);
    assertThat(staged.staged().orElseThrow().upload().reason()).isEqualTo("not verified yet");
    assertThat(staged.nextCheck()).as("scheduled at once").hasValue(clock.instant());

    OrganizationStatus failing = binaries.check(ORG);
    OrganizationStatus.Part part = failing.staged().orElseThrow().upload();
    assertThat(part.state()).isEqualTo(PartStatus.PENDING);
    assertThat(part.reason()).contains("the role trusts no one");
    assertThat(part.lastCheck().orElseThrow().passed()).isFalse();
    assertThat(part.lastCheck().orElseThrow().retryable()).isFalse();
    assertThat(part.definiteFailures()).isEqualTo(1);
    assertThat(failing.nextCheck()).hasValueSatisfying(t -> assertThat(t).isAfter(clock.instant()));

    provider.control("bucket-1").pass();
    OrganizationStatus active = binaries.check(ORG);
    assertThat(active.uploadsGoTo()).isEqualTo(UploadsGoTo.OWN_STORAGE);
    assertThat(active.staged()).isEmpty();
    OrganizationStatus.Configuration c = active.active().orElseThrow();
    assertThat(c.storage().toString()).isEqualTo("controlled{name=bucket-1}");
    assertThat(c.uploadType()).isEqualTo("controlled");
    assertThat(c.downloadType()).isEmpty();
    assertThat(c.upload().state()).isEqualTo(PartStatus.ACTIVE);
    assertThat(c.download().state()).isEqualTo(PartStatus.ACTIVE);
    StoredBinary after = upload("after");
    assertThat(provider.bytes("bucket-1", ORG, ObjectKey.of("after"))).isPresent();
    try (BinaryContent content = binaries.forBinary(before.location()).read(ORG, before.key())) {
      assertThat(content.stream().readAllBytes()).isEqualTo("before".getBytes(StandardCharsets.UTF_8));
    }
    assertThat(binaries.signDownloadUrl(after.location(), Duration.ofMinutes(5)).uri().toString())
        .startsWith("controlled://bucket-1/");

    JsonNode json = new ObjectMapper().readTree(active.toJson());
    assertThat(json.get("organization").asText()).isEqualTo("org-a");
    assertThat(json.get("uploadsGoTo").asText()).isEqualTo("OWN_STORAGE");
    assertThat(json.at("/active/upload/state").asText()).isEqualTo("ACTIVE");
    assertThat(json.at("/active/upload/lastCheck/passed").asBoolean()).isTrue();
    assertThat(json.at("/active/storage").asText()).isEqualTo("controlled{name=bucket-1}");
    assertThat(json.has("staged")).isFalse();
  }

  @Test
  void degradedSuspendsUploadsUntilFallbackIsAllowedAndRemovalRetiresTheStorage() {
    binaries = builder().build();
    binaries.register(ORG, BUCKET_1, "alice");
    binaries.check(ORG);
    provider.control("bucket-1").fail("the bucket policy denies s3:PutObject");
    OrganizationStatus degraded = null;
    for (int i = 0; i < 3; i++) {
      degraded = binaries.check(ORG);
    }
    assertThat(degraded.uploadsGoTo()).isEqualTo(UploadsGoTo.NOWHERE);
    assertThat(degraded.uploadsReason()).contains("s3:PutObject");
    assertThatThrownBy(() -> binaries.forUpload(ORG)).isInstanceOf(UploadsSuspendedException.class);
    OrganizationStatus fallback = binaries.allowFallback(ORG, true, "support");
    assertThat(fallback.fallbackAllowed()).isTrue();
    assertThat(fallback.uploadsGoTo()).isEqualTo(UploadsGoTo.DEFAULT_STORAGE);
    assertThat(binaries.forUpload(ORG).custom()).isFalse();

    provider.control("bucket-2").pass();
    binaries.register(ORG, BUCKET_2, "alice");
    OrganizationStatus switched = binaries.check(ORG);
    assertThat(switched.active().orElseThrow().storage().toString()).isEqualTo("controlled{name=bucket-2}");
    assertThat(switched.retired()).extracting(r -> r.storage().toString()).containsExactly("controlled{name=bucket-1}");
    OrganizationStatus removed = binaries.remove(ORG, "alice");
    assertThat(removed.active()).isEmpty();
    assertThat(removed.retired()).hasSize(2);
    assertThat(removed.nextCheck()).isEmpty();
    OrganizationStatus forgotten = binaries.forgetRetired(ORG, removed.retired().get(0).storage(), "alice");
    assertThat(forgotten.retired()).hasSize(1);
    assertThat(binaries.organizations()).containsExactly(ORG);
  }

  @Test
  void checksDueOnTheClockRunWhenAskedAndOnTheScheduleOtherwise() throws Exception {
    binaries = builder().build();
    binaries.register(ORG, BUCKET_1, "alice");
    assertThat(binaries.runDueChecks()).isEqualTo(1);
    assertThat(binaries.status(ORG).uploadsGoTo()).isEqualTo(UploadsGoTo.OWN_STORAGE);
    binaries.close();

    // scheduled: the registration is checked without anyone asking
    java.util.concurrent.CountDownLatch switched = new java.util.concurrent.CountDownLatch(1);
    binaries = builder().scheduled(true).checks(Duration.ofMillis(20), 1)
        .listener(e -> {
          if (e.transition().change().startsWith("switched to")) {
            switched.countDown();
          }
        }).build();
    binaries.register(ORG, BUCKET_2, "bob");
    assertThat(switched.await(20, java.util.concurrent.TimeUnit.SECONDS)).as("switched by the schedule").isTrue();
    assertThat(binaries.status(ORG).uploadsGoTo()).isEqualTo(UploadsGoTo.OWN_STORAGE);
  }

  @Test
  void oneCloseClosesEverythingInOrderOnce() {
    AutoCloseable httpClient = () -> closed.add("http client");
    binaries = builder().closeAfterwards(httpClient).build();
    binaries.register(ORG, BUCKET_1, "alice");
    binaries.check(ORG);
    upload("x");
    assertThat(provider.built()).isEqualTo(2); // the default storage and bucket-1
    binaries.close();
    binaries.close();
    assertThat(provider.closed()).isEqualTo(2);
    assertThat(closed).containsExactly("store", "http client");
    binaries = null;
  }

  @Test
  void aDefaultStorageHandedOverBuiltStaysItsOwners() {
    org.binarybackends.BinaryBackend mine = provider.create(new ControlledBackendProvider.Settings("mine"),
        BackendContext.defaults());
    binaries = builder().defaultStorage(mine).build();
    binaries.close();
    assertThat(provider.closed()).isZero();
    mine.close();
    assertThat(provider.closed()).isEqualTo(1);
    binaries = null;
  }

  @Test
  void backendsShareTheirNotesThroughTheStateStoreUnlessTheContextGivesOthers() {
    InMemoryStateStore store = new InMemoryStateStore();
    CapturingProvider capturing = new CapturingProvider();
    binaries = BinaryBackends.builder().stateStore(store).defaultStorage(new ControlledBackendProvider.Settings("d"))
        .registry(BinaryBackendRegistry.of(capturing)).scheduled(false).build();
    SharedNotes notes = capturing.context.service(SharedNotes.class).orElseThrow();
    notes.update(ORG, "rotation", old -> Optional.of("k2"));
    assertThat(store.get(ORG, "rotation")).hasValue(new org.binarybackends.activation.NoteStore.Note("k2", 1));
    assertThat(store.get(ORG)).as("apart from the state").isEmpty();
  }

  @Test
  void aStateStoreWithoutNotesNeedsANoteStoreOrTheContextsNotes() {
    org.binarybackends.activation.OrganizationStateStore statesOnly = new RecordingStore();
    assertThatThrownBy(() -> BinaryBackends.builder().stateStore(statesOnly)
        .defaultStorage(new ControlledBackendProvider.Settings("d")).registry(BinaryBackendRegistry.of(provider))
        .scheduled(false).build()).isInstanceOfSatisfying(InvalidConfigurationException.class,
            e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("noteStore"));
    InMemoryStateStore notes = new InMemoryStateStore();
    binaries = BinaryBackends.builder().stateStore(statesOnly).noteStore(notes)
        .defaultStorage(new ControlledBackendProvider.Settings("d")).registry(BinaryBackendRegistry.of(provider))
        .scheduled(false).build();
    assertThat(binaries.status(ORG).version()).isZero();
  }

  /** A provider that keeps the context it builds with. */
  private static final class CapturingProvider implements org.binarybackends.spi.BinaryBackendProvider<
      ControlledBackendProvider.Settings> {
    private final ControlledBackendProvider inner = new ControlledBackendProvider();
    BackendContext context;

    @Override
    public String type() {
      return inner.type();
    }

    @Override
    public Class<ControlledBackendProvider.Settings> settingsType() {
      return inner.settingsType();
    }

    @Override
    public ControlledBackendProvider.Settings readSettings(org.binarybackends.spi.SettingsReader json) {
      return inner.readSettings(json);
    }

    @Override
    public org.binarybackends.BinaryBackend create(ControlledBackendProvider.Settings settings, BackendContext context) {
      this.context = context;
      return inner.create(settings, context);
    }
  }
}
