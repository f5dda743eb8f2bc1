package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.DirectUpload;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.OrganizationRemoval;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.Transition;
import org.binarybackends.quota.StorageQuota;
import org.binarybackends.quota.StorageQuotas;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Offboarding an organization from the platform's bucket: its whole prefix goes (binaries, records,
 * uploads in flight), in batches past S3's thousand keys per request; a dry run lists what would go
 * and removes nothing; a lookalike organization keeps everything.
 */
class PlatformBucketOffboardingTest {
  @RegisterExtension
  static final S3Fixture fixture = S3Fixture.start();
  private static final OrganizationId LEAVING = OrganizationId.of("org-a");
  private static final OrganizationId STAYING = OrganizationId.of("org-ab");

  private PlatformBucketSettings settings;
  private BinaryBackend storage;

  @BeforeEach
  void open() {
    fixture.useClock(java.time.Clock.systemUTC());
    settings = fixture.platformBucket("binaries/");
    storage = new PlatformBucketProvider().create(settings, BackendContext.builder()
        .service(S3Platform.class, fixture.platformWithStorageKeys()).build());
  }

  @AfterEach
  void close() {
    storage.close();
  }

  private StoredBinary put(BinaryBackend b, OrganizationId org, String key, String content) {
    return b.put(org, ObjectKey.of(key), new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }

  private List<String> objects(String prefix) {
    try (S3Client s3 = fixture.platformInspector()) {
      return s3.listObjectsV2Paginator(r -> r.bucket(settings.bucket().value()).prefix(prefix)).contents().stream()
          .map(S3Object::key).collect(Collectors.toList());
    }
  }

  private int uploadsInFlight(String prefix) {
    try (S3Client s3 = fixture.platformInspector()) {
      return s3.listMultipartUploads(r -> r.bucket(settings.bucket().value()).prefix(prefix)).uploads().size();
    }
  }

  private BinaryBackends platform(StorageQuotas quotas) {
    return BinaryBackends.builder().stateStore(new InMemoryStateStore()).defaultStorage(storage).scheduled(false)
        .quotas(quotas).build();
  }

  @Test
  void aDryRunListsWhatWouldGoAndRemovesNothing() {
    put(storage, LEAVING, "fw/1.bin", "one");
    put(storage, LEAVING, "fw/2.bin", "two!");
    DirectUpload inFlight = storage.directUploads().orElseThrow().start(LEAVING, ObjectKey.of("fw/3.bin"), 10,
        GeneratedContent.sha256(1, 10));
    List<String> listed = new ArrayList<>();
    try (BinaryBackends b = platform(o -> Optional.empty())) {
      OrganizationRemoval plan = b.offboard(LEAVING, true, "support@platform", x -> listed.add(x.key().value()));
      assertThat(plan).extracting(OrganizationRemoval::dryRun, OrganizationRemoval::binaries, OrganizationRemoval::bytes,
          OrganizationRemoval::uploadsAborted).containsExactly(true, 2L, 7L, 1);
      assertThat(listed).containsExactly("fw/1.bin", "fw/2.bin");
      assertThat(storage.stat(LEAVING, ObjectKey.of("fw/1.bin")).size()).isEqualTo(3);
      assertThat(storage.directUploads().orElseThrow().uploadedParts(inFlight)).isEmpty(); // still open
      assertThat(b.status(LEAVING).history()).as("a dry run is not recorded").isEmpty();
    }
  }

  @Test
  void offboardingRemovesTheWholePrefixAndNothingOfALookalike() {
    put(storage, LEAVING, "fw/1.bin", "one");
    put(storage, STAYING, "fw/1.bin", "stays");
    put(storage, STAYING, "org-a/fw/1.bin", "stays too");
    storage.verify(); // leaves the platform's own records, under no organization's root
    storage.directUploads().orElseThrow().start(LEAVING, ObjectKey.of("fw/big.bin"), 10, GeneratedContent.sha256(2, 10));
    // a thousand and more: S3 deletes at most a thousand keys per request and lists as many per page
    try (S3Client s3 = fixture.platformInspector()) {
      java.util.stream.IntStream.range(0, 1005).parallel().forEach(i -> s3.putObject(r -> r.bucket(
          settings.bucket().value()).key(String.format("binaries/org-a/many/%04d.bin", i)), RequestBody.fromString("x")));
    }
    List<String> before = objects("binaries/");
    assertThat(objects("binaries/org-a/")).hasSize(1006);

    List<ListedBinary> gone = new ArrayList<>();
    try (BinaryBackends b = platform(o -> Optional.empty())) {
      OrganizationRemoval removal = b.offboard(LEAVING, false, "support@platform", gone::add);
      assertThat(removal).extracting(OrganizationRemoval::dryRun, OrganizationRemoval::binaries,
          OrganizationRemoval::uploadsAborted).containsExactly(false, 1006L, 1);
      assertThat(gone).hasSize(1006);
      assertThat(b.status(LEAVING).history()).extracting(Transition::actor, Transition::change)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("support@platform", "removed from the default storage "
              + settings.instanceId()));
    }
    assertThat(objects("binaries/org-a/")).isEmpty();
    assertThat(uploadsInFlight("binaries/org-a/")).isZero();
    List<String> others = new ArrayList<>(before);
    others.removeIf(k -> k.startsWith("binaries/org-a/"));
    assertThat(objects("binaries/")).as("every other object stays").containsExactlyElementsOf(others);
    assertThat(storage.stat(STAYING, ObjectKey.of("org-a/fw/1.bin")).size()).isEqualTo(9);
    assertThatThrownBy(() -> storage.stat(LEAVING, ObjectKey.of("fw/1.bin"))).isInstanceOf(BinaryNotFoundException.class);
    assertThat(storage.verify().passed()).as("the platform's records are not the organization's").isTrue();
  }

  @Test
  void offboardingEndsTheOrganizationsQuotaLedgerAndAskersAreNamed() {
    try (BinaryBackends b = platform(StorageQuotas.every(StorageQuota.bytes(100)))) {
      put(b.defaultStorage(), LEAVING, "fw/1.bin", "one");
      b.defaultStorage().directUploads().orElseThrow().start(LEAVING, ObjectKey.of("fw/2.bin"), 50,
          GeneratedContent.sha256(3, 50));
      assertThat(b.quotaUsage(LEAVING).orElseThrow().bytesInUse()).isEqualTo(53);
      assertThatThrownBy(() -> b.offboard(LEAVING, false, " ", x -> {})).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("actor");
      assertThat(storage.stat(LEAVING, ObjectKey.of("fw/1.bin")).size()).as("refused before anything").isEqualTo(3);
      b.offboard(LEAVING, false, "support@platform", x -> {});
      assertThat(b.quotaUsage(LEAVING).orElseThrow()).extracting(u -> u.bytesInUse(), u -> u.uploadsInFlight())
          .containsExactly(0L, 0);
      put(b.defaultStorage(), LEAVING, "fw/again.bin", "x".repeat(100));
    }
  }

  @Test
  void aRemovalCutShortByTheStorageIsFinishedByRunningItAgain() {
    try (S3Client s3 = fixture.platformInspector()) {
      java.util.stream.IntStream.range(0, 1003).parallel().forEach(i -> s3.putObject(r -> r.bucket(
          settings.bucket().value()).key(String.format("binaries/org-a/many/%04d.bin", i)), RequestBody.fromString("x")));
    }
    // the second DeleteObjects refused: the first thousand keys are gone, the rest stay
    java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
    var rule = fixture.s3.faults().on(r -> r.method().equals("POST") && r.query().containsKey("delete")
        && batches.incrementAndGet() == 2).always().apply(org.binarybackends.testkit.s3.S3Fault.accessDenied());
    try (BinaryBackends b = platform(o -> Optional.empty())) {
      assertThatThrownBy(() -> b.offboard(LEAVING, false, "support@platform", x -> {}))
          .isInstanceOf(org.binarybackends.BinaryBackendException.class);
      assertThat(objects("binaries/org-a/")).hasSize(3);
      fixture.s3.faults().remove(rule);
      assertThat(b.offboard(LEAVING, false, "support@platform", x -> {}).binaries()).isEqualTo(3);
      assertThat(objects("binaries/org-a/")).isEmpty();
    } finally {
      fixture.s3.faults().remove(rule);
    }
  }

  @Test
  void offboardingAgainAfterItFinishedFindsNothing() {
    put(storage, LEAVING, "fw/1.bin", "one");
    try (BinaryBackends b = platform(o -> Optional.empty())) {
      b.offboard(LEAVING, false, "support@platform", x -> {});
      assertThat(b.offboard(LEAVING, false, "support@platform", x -> {})).extracting(OrganizationRemoval::binaries,
          OrganizationRemoval::uploadsAborted).containsExactly(0L, 0);
    }
  }
}
