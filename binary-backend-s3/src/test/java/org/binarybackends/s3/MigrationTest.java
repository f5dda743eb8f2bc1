package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationPlan;
import org.binarybackends.migration.MigrationStatus;
import org.binarybackends.migration.Migrations;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.ManualClock;
import org.binarybackends.testkit.s3.S3Fault;
import org.binarybackends.testkit.s3.S3Faults;
import org.binarybackends.testkit.s3.S3Operation;
import org.binarybackends.testkit.s3.S3Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving an organization's binaries between the default storage and its own bucket, with the real
 * parts (the default storage, the S3 backend through its role chain, the embedded S3 server): every
 * binary readable by its original location at every moment, each copy verified, a stopped run resumed
 * without copying again, a target refusing writes, a copy corrupted on the way, binaries changed or
 * deleted at the source meanwhile, conflicts never overwritten.
 */
class MigrationTest {
  private static final long PART = S3Transfer.defaults().partSize();

  @TempDir
  Path dir;

  private S3Fixture fixture;
  private ManualClock clock;
  private BinaryBackends binaries;
  private OrganizationId org;
  private S3Settings bucket;
  private BackendInstanceId platform;
  private final List<StoredBinary> stored = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    fixture = new S3Fixture();
    clock = new ManualClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    fixture.useClock(clock);
    org = OrganizationId.of("org-move");
    bucket = fixture.onboard(org.value(), true, "firmware/");
    DefaultStorageSettings platformSettings = DefaultStorageSettings.builder().root(dir.resolve("platform"))
        .rootId(DefaultStorageSettings.newRootId()).downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
        .addSigningKey(SigningKey.of("k1", Secret.ofBytes("0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.UTF_8)))).build();
    binaries = BinaryBackends.builder().stateStore(new InMemoryStateStore()).defaultStorage(platformSettings)
        .context(fixture.context(clock, S3Transfer.defaults().withSingleCopyLimit(PART)))
        .policy(ActivationPolicy.builder().allowEndpointOverrides(true).build()).scheduled(false).build();
    platform = binaries.defaultStorage().instanceId();
    // binaries stored before the organization brings its bucket: one of several parts, and small ones
    stored.add(binaries.forUpload(org).backend().put(org, ObjectKey.of("fw/big.bin"), new GeneratedContent(1,
        2 * PART + 7)));
    for (int i = 0; i < 9; i++) {
      stored.add(binaries.forUpload(org).backend().put(org, ObjectKey.of("fw/small-" + i + ".bin"),
          new GeneratedContent(10 + i, 1000 + i)));
    }
    binaries.register(org, SettingsJson.of(fixture.settingsJson(bucket)), Optional.empty(), "admin");
    assertThat(binaries.check(org).uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.OWN_STORAGE);
  }

  @AfterEach
  void tearDown() throws Exception {
    binaries.close();
    fixture.close();
  }

  private Migrations migrations() {
    return binaries.migrations();
  }

  private MigrationOptions options() {
    return MigrationOptions.builder("ops").concurrency(3).build();
  }

  private BinaryBackend own() {
    return binaries.forUpload(org).backend();
  }

  /** Reads every binary by its original location until stopped; collects what went wrong. */
  private final class Reader {
    final AtomicBoolean stop = new AtomicBoolean();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final AtomicInteger reads = new AtomicInteger();
    final Thread thread = new Thread(() -> {
      while (!stop.get()) {
        for (StoredBinary b : List.copyOf(stored)) {
          try (BinaryContent c = binaries.forBinary(b.location()).read(org, b.key())) {
            if (!GeneratedContent.digest(c.stream()).equals(b.sha256())) {
              failures.add(b.key() + ": another content");
            }
            reads.incrementAndGet();
          } catch (Exception e) {
            failures.add(b.key() + ": " + e);
          }
        }
      }
    }, "reader");

    Reader() {
      thread.start();
    }

    /** Stops it; what went wrong. */
    List<String> finish() {
      stop.set(true);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return failures;
    }
  }

  @Test
  void fromTheDefaultStorageToTheOwnBucketAndBackEveryBinaryReadableByItsOriginalLocationThroughout()
      throws Exception {
    MigrationPlan plan = migrations().plan(org, platform, bucket.instanceId());
    assertThat(plan.toCopy()).isEqualTo(10);
    assertThat(plan.toCopyBytes()).isEqualTo(stored.stream().mapToLong(StoredBinary::size).sum());
    assertThat(plan.conflicts()).isZero();
    assertThat(plan.toString()).contains("10 binaries to copy");

    Map<ObjectKey, StoredBinary> copies = new ConcurrentHashMap<>();
    List<MigrationStatus> progress = new CopyOnWriteArrayList<>();
    MigrationStatus done;
    Reader reader = new Reader();
    try {
      done = migrations().run(org, platform, bucket.instanceId(), options(), new MigrationListener() {
        @Override
        public void copied(ObjectKey key, StoredBinary copy) {
          assertThat(copies.put(key, copy)).as("copied once").isNull();
        }

        @Override
        public void progress(MigrationStatus status) {
          progress.add(status);
        }
      });
      // reads go on after the move, now from the bucket
      int seen = reader.reads.get();
      while (reader.reads.get() < seen + 20) {
        Thread.onSpinWait();
      }
    } finally {
      assertThat(reader.finish()).isEmpty();
    }
    assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(done.copied()).isEqualTo(10);
    assertThat(done.copiedBytes()).isEqualTo(plan.toCopyBytes());
    assertThat(progress).first().extracting(MigrationStatus::state).isEqualTo(MigrationStatus.State.RUNNING);
    assertThat(copies).hasSize(10).allSatisfy((k, c) -> assertThat(c.location().instance())
        .isEqualTo(bucket.instanceId()));
    assertThat(migrations().movedTo(org, platform)).hasValue(bucket.instanceId());
    for (StoredBinary b : stored) {
      assertThat(binaries.forBinary(b.location()).instanceId()).isEqualTo(bucket.instanceId());
      assertThat(own().stat(org, b.key()).sha256()).isEqualTo(b.sha256());
      assertThat(binaries.defaultStorage().stat(org, b.key()).sha256()).as("the original stays until asked")
          .isEqualTo(b.sha256());
    }
    assertThat(binaries.status(org).history()).last().satisfies(t -> assertThat(t.change())
        .startsWith("moved the binaries of " + platform));
    assertThat(migrations().plan(org, platform, bucket.instanceId()).alreadyThere()).isEqualTo(10);

    // back: the organization leaves its bucket; its binaries go back to the default storage
    StoredBinary later = own().put(org, ObjectKey.of("fw/later.bin"), new GeneratedContent(99, 5000));
    stored.add(later);
    assertThatThrownBy(() -> migrations().run(org, bucket.instanceId(), platform, options(), MigrationListener.none()))
        .as("uploads still go to the bucket").isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("switch them first");
    assertThatThrownBy(() -> migrations().plan(org, bucket.instanceId(), platform)).as("nor planned")
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("switch them first");
    binaries.remove(org, "admin");
    Reader again = new Reader();
    try {
      MigrationStatus back = migrations().run(org, bucket.instanceId(), platform, options(), MigrationListener.none());
      assertThat(back.state()).as(back.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
      assertThat(back.copied()).as("only what the default storage lacks").isEqualTo(1);
      assertThat(back.skipped()).isEqualTo(10);
    } finally {
      assertThat(again.finish()).isEmpty();
    }
    for (StoredBinary b : stored) {
      assertThat(binaries.forBinary(b.location()).instanceId()).as("a round trip ends where it began")
          .isEqualTo(platform);
      try (BinaryContent c = binaries.forBinary(b.location()).read(org, b.key())) {
        assertThat(GeneratedContent.digest(c.stream())).isEqualTo(b.sha256());
      }
    }
  }

  // ---- between two buckets of one role: copies inside the storage ----

  /** Registers {@code settings} as the organization's new bucket: staged, then active once checked. */
  private void activate(S3Settings settings) {
    binaries.register(org, SettingsJson.of(fixture.settingsJson(settings)), Optional.empty(), "admin");
    binaries.check(org);
    assertThat(binaries.forUpload(org).backend().instanceId()).isEqualTo(settings.instanceId());
  }

  /** Binaries in the organization's bucket, then a second bucket of the same role registered: uploads go there. */
  private final class TwoBuckets {
    final BackendInstanceId first = bucket.instanceId();
    final List<StoredBinary> inFirst = new ArrayList<>();
    final S3Settings second;
    /** The requests that wrote binaries to the second bucket. */
    final List<S3Request> writes = new CopyOnWriteArrayList<>();
    /** The keys read from the second bucket (a copy's read-back). */
    final List<String> reads = new CopyOnWriteArrayList<>();

    TwoBuckets() {
      // one binary copied in parts (longer than the single-copy limit), small ones in one request
      inFirst.add(own().put(org, ObjectKey.of("fw/s3-big.bin"), new GeneratedContent(3, 2 * PART + 7)));
      for (int i = 0; i < 5; i++) {
        inFirst.add(own().put(org, ObjectKey.of("fw/s3-small-" + i + ".bin"), new GeneratedContent(30 + i, 2000 + i)));
      }
      // a key as a copy source must carry it: spaces, a plus, an ampersand, a percent sign, non-ASCII
      inFirst.add(own().put(org, ObjectKey.of("fw/s3 sensor+v2 & 100% é.bin"), new GeneratedContent(40, 3000)));
      stored.addAll(inFirst);
      second = fixture.onboard(org.value(), true, "moved/");
      assertThat(second.roleArn()).isEqualTo(bucket.roleArn());
      activate(second);
      fixture.s3.faults().watch(r -> {
        if (r.bucket().equals(second.bucket().value()) && (r.operation() == S3Operation.PUT_OBJECT
            || r.operation() == S3Operation.UPLOAD_PART) && !r.key().contains(S3Objects.RESERVED)) {
          writes.add(r); // binaries' bytes, not the library's records (a copy's digest record, a few bytes)
        }
        if (r.bucket().equals(second.bucket().value()) && r.operation() == S3Operation.GET_OBJECT) {
          reads.add(r.key());
        }
      });
    }

    MigrationStatus run(MigrationListener listener) {
      return migrations().run(org, first, second.instanceId(), options(), listener);
    }
  }

  @Test
  void betweenTwoBucketsOfOneRoleTheCopiesRunInsideTheStorageVerifiedAndReadsFollowTheMove() throws Exception {
    assertThat(migrations().plan(org, platform, bucket.instanceId()).copiesInStorage())
        .as("the default storage and a bucket: through this process").isFalse();
    TwoBuckets two = new TwoBuckets();
    MigrationPlan plan = migrations().plan(org, two.first, two.second.instanceId());
    assertThat(plan.copiesInStorage()).isTrue();
    assertThat(plan.toCopy()).isEqualTo(7);
    assertThat(plan.toString()).contains("inside the storage");

    Map<ObjectKey, StoredBinary> copies = new ConcurrentHashMap<>();
    // what was read from the second bucket until the last copy (the reader reads there only after the move)
    List<String> readBacks = new CopyOnWriteArrayList<>();
    MigrationStatus done;
    Reader reader = new Reader();
    try {
      done = two.run(new MigrationListener() {
        @Override
        public void copied(ObjectKey key, StoredBinary copy) {
          assertThat(copies.put(key, copy)).as("copied once").isNull();
          synchronized (readBacks) {
            readBacks.clear();
            readBacks.addAll(two.reads);
          }
        }
      });
    } finally {
      assertThat(reader.finish()).isEmpty();
    }
    assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(done.copied()).isEqualTo(7);
    assertThat(two.writes).as("no byte uploaded through this process").isNotEmpty()
        .allSatisfy(r -> assertThat(r.isCopy()).as(r.toString()).isTrue());
    assertThat(two.writes.stream().filter(r -> r.operation() == S3Operation.UPLOAD_PART))
        .as("the long one in three parts").hasSize(3)
        .allSatisfy(r -> assertThat(r.copySource()).hasValue(bucket.bucket().value() + "/firmware/fw/s3-big.bin"));
    assertThat(readBacks).as("S3's SHA-256 of a copy in one request verifies it; the copy in parts is read back")
        .containsExactly("moved/fw/s3-big.bin");
    assertThat(migrations().movedTo(org, two.first)).hasValue(two.second.instanceId());
    // a backend of its own (nothing cached): each copy records the binary's SHA-256 in the second bucket
    try (S3Backend check = fixture.backend(two.second, clock, S3Transfer.defaults())) {
      for (StoredBinary b : two.inFirst) {
        assertThat(check.stat(org, b.key()).sha256()).as(b.key().value()).isEqualTo(b.sha256());
        assertThat(copies.get(b.key()).sha256()).isEqualTo(b.sha256());
        try (BinaryContent c = binaries.forBinary(b.location()).read(org, b.key())) {
          assertThat(c.binary().location().instance()).isEqualTo(two.second.instanceId());
          assertThat(GeneratedContent.digest(c.stream())).isEqualTo(b.sha256());
        }
      }
    }
  }

  @Test
  void aCopyInsideTheStorageThatDoesNotVerifyIsRemovedRetriedAndNeverRecordedAsMoved() throws Exception {
    TwoBuckets two = new TwoBuckets();
    // S3 answers one copy with the SHA-256 of other bytes than those recorded at the source
    S3Faults.Rule once = fixture.s3.faults().on(r -> r.isCopy() && r.key().endsWith("s3-small-2.bin")).times(1)
        .apply(S3Fault.wrongCopyChecksum());
    MigrationStatus done = two.run(MigrationListener.none());
    assertThat(once.applied()).isEqualTo(1);
    assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(done.copied()).isEqualTo(7);
    try (S3Backend check = fixture.backend(two.second, clock, S3Transfer.defaults())) {
      assertThat(check.stat(org, ObjectKey.of("fw/s3-small-2.bin")).sha256()).isEqualTo(two.inFirst.get(3).sha256());
    }

    // the move back on a store that gives no SHA-256 of a copy: each is read back; the read-back of one is
    // corrupted once, that of another (a copy in parts) every time
    fixture.s3.answerCopyChecksums(false);
    StoredBinary later = binaries.forUpload(org).backend().put(org, ObjectKey.of("fw/s3-later.bin"),
        new GeneratedContent(77, 2 * PART + 1));
    StoredBinary laterSmall = binaries.forUpload(org).backend().put(org, ObjectKey.of("fw/s3-later-small.bin"),
        new GeneratedContent(78, 5000));
    activate(bucket);
    String firstBucket = bucket.bucket().value();
    S3Faults.Rule readBackOnce = fixture.s3.faults().on(r -> r.operation() == S3Operation.GET_OBJECT
        && r.bucket().equals(firstBucket) && r.key().endsWith("s3-later-small.bin")).times(1)
        .apply(S3Fault.corruptResponseBodyAt(10));
    fixture.s3.faults().on(r -> r.operation() == S3Operation.GET_OBJECT && r.bucket().equals(firstBucket)
        && r.key().endsWith("s3-later.bin")).always().apply(S3Fault.corruptResponseBodyAt(PART + 5));
    MigrationStatus back = migrations().run(org, two.second.instanceId(), two.first, options(),
        MigrationListener.none());
    assertThat(readBackOnce.applied()).isEqualTo(1);
    assertThat(back.state()).as(back.toString()).isEqualTo(MigrationStatus.State.FAILED);
    assertThat(back.reason()).contains("fw/s3-later.bin").contains("SHA-256");
    assertThat(migrations().movedTo(org, two.second.instanceId())).as("never recorded as moved").isEmpty();
    try (S3Backend check = fixture.backend(bucket, clock, S3Transfer.defaults())) {
      assertThatThrownBy(() -> check.stat(org, later.key())).as("the copy that did not verify was removed")
          .isInstanceOf(org.binarybackends.BinaryNotFoundException.class);
      assertThat(check.stat(org, laterSmall.key()).sha256()).as("the one read back wrong once, copied again")
          .isEqualTo(laterSmall.sha256());
    }
  }

  @Test
  void aCopyInsideTheStorageRefusedByTheRolesPolicyFallsBackToCopyingThroughThisProcess() {
    TwoBuckets two = new TwoBuckets();
    // the role's policy no longer lets it read the first bucket from the second: every server-side copy is denied
    S3Faults.Rule denied = fixture.s3.faults().on(S3Request::isCopy).always()
        .apply(S3Fault.accessDenied());
    // one binary at a time: the order of the requests is the run's
    MigrationStatus done = migrations().run(org, two.first, two.second.instanceId(), MigrationOptions.builder("ops")
        .concurrency(1).build(), MigrationListener.none());
    assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(done.copied()).isEqualTo(7);
    assertThat(denied.applied()).as("the first binary's copy (its parts in flight)").isBetween(1,
        S3Transfer.defaults().partsInFlight());
    List<S3Request> writes = List.copyOf(two.writes);
    int firstUpload = writes.indexOf(writes.stream().filter(r -> !r.isCopy()).findFirst().orElseThrow(
        () -> new AssertionError("nothing uploaded through this process: " + writes)));
    assertThat(writes.subList(firstUpload, writes.size())).as("refused once: not asked again")
        .noneMatch(S3Request::isCopy);
    try (S3Backend check = fixture.backend(two.second, clock, S3Transfer.defaults())) {
      for (StoredBinary b : two.inFirst) {
        assertThat(check.stat(org, b.key()).sha256()).isEqualTo(b.sha256());
      }
    }
  }

  @Test
  void aBinaryOverwrittenAtTheSourceWhileTheStorageCopiesItArrivesInItsNewerVersion() {
    TwoBuckets two = new TwoBuckets();
    ObjectKey key = ObjectKey.of("fw/s3-small-3.bin");
    StoredBinary[] newer = new StoredBinary[1];
    S3Backend first = fixture.backend(bucket, clock, S3Transfer.defaults());
    try {
      // as the copy request arrives, before the server runs it, another writer replaces the source's version
      fixture.s3.faults().watch(r -> {
        if (r.isCopy() && r.key().endsWith(key.value()) && newer[0] == null) {
          newer[0] = first.put(org, key, new GeneratedContent(555, 4321));
        }
      });
      MigrationStatus done = two.run(MigrationListener.none());
      assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
      assertThat(newer[0]).isNotNull();
      try (S3Backend check = fixture.backend(two.second, clock, S3Transfer.defaults())) {
        StoredBinary copy = check.stat(org, key);
        assertThat(copy.sha256()).as("the newer version, never the old digest on new bytes").isEqualTo(newer[0].sha256());
        assertThat(copy.size()).isEqualTo(4321);
      }
    } finally {
      first.close();
    }
  }

  @Test
  void twoRolesAreTwoIdentitiesNoCopyInsideTheStorageIsOffered() {
    S3Settings otherRole = fixture.onboard("org-other", true, "");
    try (S3Backend mine = fixture.backend(bucket, clock, S3Transfer.defaults());
        S3Backend theirs = fixture.backend(otherRole, clock, S3Transfer.defaults());
        S3Backend sameRole = fixture.backend(bucket.toBuilder().prefix("elsewhere/").build(), clock,
            S3Transfer.defaults())) {
      assertThat(mine.serverSideCopyFrom(theirs)).isEmpty();
      assertThat(theirs.serverSideCopyFrom(mine)).isEmpty();
      assertThat(mine.serverSideCopyFrom(mine)).as("not onto itself").isEmpty();
      assertThat(mine.serverSideCopyFrom(binaries.defaultStorage())).isEmpty();

      // the copier of the same role, as a caller of the API meets it
      org.binarybackends.ServerSideCopy copier = sameRole.serverSideCopyFrom(mine).orElseThrow();
      StoredBinary there = mine.put(org, ObjectKey.of("fw/direct.bin"), new GeneratedContent(8, 6000));
      assertThatThrownBy(() -> copier.copy(org, there.key(), stored.get(0).sha256()))
          .as("another version than the one expected").isInstanceOf(org.binarybackends.IntegrityException.class)
          .hasMessageContaining("changed at the source").hasMessageContaining(there.sha256().hex());
      assertThatThrownBy(() -> copier.copy(org, ObjectKey.of("fw/none.bin"), there.sha256()))
          .isInstanceOf(org.binarybackends.BinaryNotFoundException.class);
      assertThatThrownBy(() -> copier.copy(OrganizationId.of("org-other"), there.key(), there.sha256()))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("organization");
      S3Faults.Rule denied = fixture.s3.faults().on(S3Request::isCopy).always().apply(S3Fault.accessDenied());
      assertThatThrownBy(() -> copier.copy(org, there.key(), there.sha256()))
          .isInstanceOf(org.binarybackends.AccessDeniedException.class)
          .hasMessageContaining("a copy from bucket " + bucket.bucket().value())
          .hasMessageContaining("s3:GetObject on the source, arn:aws:s3:::" + bucket.bucket().value() + "/firmware/*");
      assertThatThrownBy(() -> sameRole.stat(org, there.key())).as("nothing copied")
          .isInstanceOf(org.binarybackends.BinaryNotFoundException.class);
      fixture.s3.faults().remove(denied);
      assertThat(copier.copy(org, there.key(), there.sha256()).sha256()).isEqualTo(there.sha256());
      assertThat(sameRole.stat(org, there.key()).sha256()).isEqualTo(there.sha256());

    }
    // a store that gives no SHA-256 of a copy, the read-back cut and the removal refused (as a crash
    // between the copy and its check leaves it): the copy left claims no digest it was not checked for
    fixture.s3.answerCopyChecksums(false);
    try (S3Backend mine = fixture.backend(bucket, clock, S3Transfer.defaults());
        S3Backend sameRole = fixture.backend(bucket.toBuilder().prefix("elsewhere/").build(), clock,
            S3Transfer.defaults())) {
      org.binarybackends.ServerSideCopy copier = sameRole.serverSideCopyFrom(mine).orElseThrow();
      StoredBinary unchecked = mine.put(org, ObjectKey.of("fw/unchecked.bin"), new GeneratedContent(9, 7000));
      S3Faults.Rule cut = fixture.s3.faults().on(r -> r.operation() == S3Operation.GET_OBJECT
          && r.key().equals("elsewhere/fw/unchecked.bin")).always().apply(S3Fault.cutResponseBodyAfter(100));
      S3Faults.Rule noDelete = fixture.s3.faults().denyFor(bucket.roleArn().toString(), S3Operation.DELETE_OBJECT);
      assertThatThrownBy(() -> copier.copy(org, unchecked.key(), unchecked.sha256()))
          .isInstanceOf(org.binarybackends.BinaryBackendException.class);
      fixture.s3.faults().remove(cut);
      fixture.s3.faults().remove(noDelete);
      try (software.amazon.awssdk.services.s3.S3Client inspector = fixture.inspector(bucket)) {
        Map<String, String> metadata = inspector.headObject(b -> b.bucket(bucket.bucket().value())
            .key("elsewhere/fw/unchecked.bin")).metadata();
        assertThat(metadata).as("a digest record named, none written; no SHA-256 claimed")
            .containsKey(S3Objects.RECORD_METADATA).doesNotContainKey(S3Objects.SHA256_METADATA);
      }
      assertThat(sameRole.stat(org, unchecked.key()).sha256()).as("computed from the copy's bytes")
          .isEqualTo(unchecked.sha256());
    }
  }

  @Test
  void aStoppedRunResumesWhereItWasAndCopiesNoBinaryTwice() throws Exception {
    Map<ObjectKey, AtomicInteger> copiedTimes = new ConcurrentHashMap<>();
    AtomicInteger count = new AtomicInteger();
    Thread[] runner = new Thread[1];
    MigrationStatus[] first = new MigrationStatus[1];
    runner[0] = new Thread(() -> first[0] = migrations().run(org, platform, bucket.instanceId(),
        MigrationOptions.builder("ops").concurrency(1).build(), new MigrationListener() {
          @Override
          public void copied(ObjectKey key, StoredBinary copy) {
            copiedTimes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (count.incrementAndGet() == 4) {
              runner[0].interrupt(); // the operator stops it
            }
          }
        }));
    runner[0].start();
    runner[0].join();
    assertThat(first[0].state()).as(first[0].toString()).isEqualTo(MigrationStatus.State.STOPPED);
    assertThat(first[0].copied()).isBetween(4L, 5L);
    MigrationStatus stopped = migrations().status(org, platform).orElseThrow();
    assertThat(stopped.state()).isEqualTo(MigrationStatus.State.STOPPED);
    assertThat(stopped.cursor()).isPresent();
    assertThat(migrations().movedTo(org, platform)).as("not moved before it completes").isEmpty();
    assertThat(binaries.forBinary(stored.get(0).location()).instanceId()).isEqualTo(platform);

    MigrationStatus resumed = migrations().run(org, platform, bucket.instanceId(), options(), new MigrationListener() {
      @Override
      public void copied(ObjectKey key, StoredBinary copy) {
        copiedTimes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      }
    });
    assertThat(resumed.state()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(resumed.copied()).as("the totals of both runs").isEqualTo(10);
    assertThat(copiedTimes).hasSize(10).allSatisfy((k, n) -> assertThat(n.get()).as(k.value()).isEqualTo(1));
  }

  @Test
  void aTargetRefusingWritesStopsTheRunWithTheReasonAndNothingIsMarkedMoved() {
    S3Faults.Rule deny = fixture.s3.faults().denyFor(bucket.roleArn().toString(), S3Operation.PUT_OBJECT,
        S3Operation.CREATE_MULTIPART_UPLOAD);
    MigrationStatus failed = migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none());
    assertThat(failed.state()).isEqualTo(MigrationStatus.State.FAILED);
    assertThat(failed.reason()).contains("could not be copied").containsIgnoringCase("denied");
    assertThat(failed.copied()).isZero();
    assertThat(migrations().movedTo(org, platform)).isEmpty();
    assertThat(migrations().status(org, platform).orElseThrow().state()).isEqualTo(MigrationStatus.State.FAILED);
    assertThat(binaries.forBinary(stored.get(0).location()).instanceId()).isEqualTo(platform);

    fixture.s3.faults().remove(deny);
    MigrationStatus again = migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none());
    assertThat(again.state()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(again.copied()).isEqualTo(10);
  }

  @Test
  void aTargetThatStartsRefusingWritesMidwayStopsTheRunNothingMovedAndTheNextRunCopiesOnlyTheRest() {
    Map<ObjectKey, AtomicInteger> copiedTimes = new ConcurrentHashMap<>();
    S3Faults.Rule[] deny = new S3Faults.Rule[1];
    MigrationListener counting = new MigrationListener() {
      @Override
      public void copied(ObjectKey key, StoredBinary copy) {
        if (copiedTimes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() == 1 && copiedTimes.size() == 3
            && deny[0] == null) {
          // someone edits the role's policy while the run goes on
          deny[0] = fixture.s3.faults().denyFor(bucket.roleArn().toString(), S3Operation.PUT_OBJECT,
              S3Operation.CREATE_MULTIPART_UPLOAD, S3Operation.UPLOAD_PART);
        }
      }
    };
    MigrationStatus failed = migrations().run(org, platform, bucket.instanceId(), MigrationOptions.builder("ops")
        .concurrency(1).build(), counting);
    assertThat(failed.state()).as(failed.toString()).isEqualTo(MigrationStatus.State.FAILED);
    assertThat(failed.copied()).isEqualTo(3);
    assertThat(failed.reason()).contains("could not be copied").containsIgnoringCase("denied");
    assertThat(migrations().movedTo(org, platform)).as("nothing marked moved").isEmpty();
    for (StoredBinary b : stored) {
      assertThat(binaries.forBinary(b.location()).instanceId()).isEqualTo(platform);
    }

    fixture.s3.faults().remove(deny[0]);
    MigrationStatus again = migrations().run(org, platform, bucket.instanceId(), options(), counting);
    assertThat(again.state()).as(again.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(again.copied()).as("the totals of both runs").isEqualTo(10);
    assertThat(copiedTimes).hasSize(10).allSatisfy((k, n) -> assertThat(n.get()).as(k.value()).isEqualTo(1));
  }

  @Test
  void aCopyCorruptedOnTheWayIsDetectedRetriedAndNeverRecordedAsMoved() throws Exception {
    // into the bucket first, then the organization leaves it; on the way back S3's answers are corrupted
    assertThat(migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none()).state())
        .isEqualTo(MigrationStatus.State.COMPLETED);
    StoredBinary onlyInBucket = own().put(org, ObjectKey.of("fw/only-there.bin"), new GeneratedContent(42, 300_000));
    binaries.remove(org, "admin");
    S3Faults.Rule once = fixture.s3.faults().on(r -> r.operation() == S3Operation.GET_OBJECT
        && r.key().endsWith("only-there.bin")).times(1).apply(S3Fault.corruptResponseBodyAt(1234));
    List<String> retried = new CopyOnWriteArrayList<>();
    MigrationStatus back = migrations().run(org, bucket.instanceId(), platform, options(), new MigrationListener() {
      @Override
      public void failed(ObjectKey key, String why) {
        retried.add(why);
      }
    });
    assertThat(once.applied()).isEqualTo(1);
    assertThat(back.state()).as(back.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    assertThat(retried).isEmpty();
    assertThat(binaries.defaultStorage().stat(org, onlyInBucket.key()).sha256()).isEqualTo(onlyInBucket.sha256());

    // corrupted every time: never recorded as moved, nothing half-written at the target
    StoredBinary another = binaries.defaultStorage().put(org, ObjectKey.of("fw/x.bin"), new GeneratedContent(7, 9000));
    binaries.register(org, SettingsJson.of(fixture.settingsJson(bucket)), Optional.empty(), "admin");
    assertThat(binaries.check(org).uploadsGoTo()).isEqualTo(OrganizationStatus.UploadsGoTo.OWN_STORAGE);
    // the default storage as the source now; its reads cannot be corrupted by the S3 server, so the
    // target's writes are: S3 refuses each part (BadDigest) and the copy fails every attempt
    fixture.s3.faults().on(r -> (r.operation() == S3Operation.PUT_OBJECT || r.operation() == S3Operation.UPLOAD_PART)
        && r.key().endsWith("x.bin")).always().apply(S3Fault.corruptRequestBodyAt(100));
    MigrationStatus forth = migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none());
    assertThat(forth.state()).as(forth.toString()).isEqualTo(MigrationStatus.State.FAILED);
    assertThat(forth.reason()).contains("fw/x.bin");
    assertThatThrownBy(() -> own().stat(org, another.key())).isInstanceOf(org.binarybackends.BinaryNotFoundException.class);
  }

  @Test
  void aBinaryChangedAtTheSourceDuringTheRunArrivesInItsNewerVersionAndOneDeletedIsNotResurrected() {
    BinaryBackend source = binaries.defaultStorage();
    AtomicBoolean once = new AtomicBoolean();
    MigrationStatus done = migrations().run(org, platform, bucket.instanceId(),
        MigrationOptions.builder("ops").concurrency(1).build(), new MigrationListener() {
          @Override
          public void copied(ObjectKey key, StoredBinary copy) {
            if (key.value().equals("fw/big.bin") && once.compareAndSet(false, true)) {
              // the service (a direct upload finishing, a delete) changes the source meanwhile
              source.put(org, ObjectKey.of("fw/small-0.bin"), new ByteArrayInputStream("newer".getBytes(
                  StandardCharsets.UTF_8)));
              source.put(org, ObjectKey.of("fw/big.bin"), new ByteArrayInputStream("big, rewritten".getBytes(
                  StandardCharsets.UTF_8)));
              source.delete(org, ObjectKey.of("fw/small-8.bin"));
              source.put(org, ObjectKey.of("fw/new.bin"), new ByteArrayInputStream("new".getBytes(StandardCharsets.UTF_8)));
            }
          }
        });
    assertThat(done.state()).as(done.toString()).isEqualTo(MigrationStatus.State.COMPLETED);
    for (String k : List.of("fw/small-0.bin", "fw/big.bin", "fw/new.bin")) {
      assertThat(own().stat(org, ObjectKey.of(k)).sha256()).as(k + ": the newer version, never a mix")
          .isEqualTo(source.stat(org, ObjectKey.of(k)).sha256());
    }
    assertThatThrownBy(() -> own().stat(org, ObjectKey.of("fw/small-8.bin"))).as("deleted at the source")
        .isInstanceOf(org.binarybackends.BinaryNotFoundException.class);
  }

  @Test
  void aConflictIsNeverOverwrittenAndTheMoveIsNotRecordedUntilItIsResolved() {
    own().put(org, ObjectKey.of("fw/small-3.bin"), new ByteArrayInputStream("theirs".getBytes(StandardCharsets.UTF_8)));
    own().put(org, ObjectKey.of("fw/small-4.bin"), new GeneratedContent(14, 1004)); // the same content: skipped
    MigrationPlan plan = migrations().plan(org, platform, bucket.instanceId());
    assertThat(plan.toCopy()).isEqualTo(8);
    assertThat(plan.alreadyThere()).isEqualTo(1);
    assertThat(plan.conflicts()).isEqualTo(1);
    assertThat(plan.conflictKeys()).containsExactly(ObjectKey.of("fw/small-3.bin"));
    MigrationStatus run = migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none());
    assertThat(run.state()).isEqualTo(MigrationStatus.State.CONFLICTS);
    assertThat(run.conflicts()).isEqualTo(1);
    assertThat(own().stat(org, ObjectKey.of("fw/small-3.bin")).size()).as("theirs, untouched").isEqualTo(6);
    assertThat(migrations().movedTo(org, platform)).isEmpty();
    own().delete(org, ObjectKey.of("fw/small-3.bin"));
    assertThat(migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none()).state())
        .isEqualTo(MigrationStatus.State.COMPLETED);
  }

  @Test
  void originalsAreDeletedOnlyWhenAskedAfterTheMoveAndOnceEveryUrlTheSourceSignedHasExpired() throws Exception {
    assertThatThrownBy(() -> migrations().deleteSource(org, platform, false, "ops", MigrationListener.none()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no move of it was started");
    assertThat(migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none()).state())
        .isEqualTo(MigrationStatus.State.COMPLETED);
    assertThatThrownBy(() -> migrations().deleteSource(org, platform, false, "ops", MigrationListener.none()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("7 days");
    clock.advance(Migrations.SIGNED_URLS_OUTLIVE.plusMinutes(1));
    StoredBinary afterwards = binaries.defaultStorage().put(org, ObjectKey.of("fw/after.bin"),
        new GeneratedContent(5, 100));
    assertThat(migrations().deleteSource(org, platform, true, "ops", MigrationListener.none())).isEqualTo(10);
    assertThat(binaries.defaultStorage().stat(org, stored.get(0).key())).as("a dry run deletes nothing").isNotNull();
    List<ObjectKey> kept = new CopyOnWriteArrayList<>();
    assertThat(migrations().deleteSource(org, platform, false, "ops", new MigrationListener() {
      @Override
      public void skipped(ObjectKey key, String why) {
        kept.add(key);
      }
    })).isEqualTo(10);
    assertThat(kept).containsExactly(afterwards.key());
    assertThat(binaries.defaultStorage().list(org, "").map(b -> b.key().value())).containsExactly("fw/after.bin");
    assertThat(migrations().status(org, platform).orElseThrow().state()).isEqualTo(MigrationStatus.State.SOURCE_DELETED);
    for (StoredBinary b : stored) {
      try (BinaryContent c = binaries.forBinary(b.location()).read(org, b.key())) {
        assertThat(GeneratedContent.digest(c.stream())).as("read from the bucket").isEqualTo(b.sha256());
      }
    }
    // one stored at the source after the move (a direct upload finishing late) reads from there
    try (BinaryContent c = binaries.forBinary(afterwards.location()).read(org, afterwards.key())) {
      assertThat(GeneratedContent.digest(c.stream())).isEqualTo(afterwards.sha256());
    }
    assertThat(binaries.signDownloadUrl(afterwards.location(), Duration.ofMinutes(5)).uri().getPort())
        .as("signed by the default storage's server").isNotEqualTo(fixture.s3.endpoint().getPort());
  }

  @Test
  void signingAMovedBinaryForAFleetCostsOneLookupAMinuteNotOnePerSignature() {
    assertThat(migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none()).state())
        .isEqualTo(MigrationStatus.State.COMPLETED);
    StoredBinary firmware = stored.get(3);
    String ownBucket = bucket.bucket().value();
    AtomicInteger heads = new AtomicInteger();
    fixture.s3.faults().watch(r -> {
      if (r.operation() == S3Operation.HEAD_OBJECT && r.bucket().equals(ownBucket)) {
        heads.incrementAndGet();
      }
    });
    for (int device = 0; device < 200; device++) {
      assertThat(binaries.signDownloadUrl(firmware.location(), Duration.ofMinutes(5)).uri().getPort())
          .as("signed for the bucket it moved to").isEqualTo(fixture.s3.endpoint().getPort());
    }
    assertThat(heads.get()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(61));
    binaries.signDownloadUrl(firmware.location(), Duration.ofMinutes(5));
    assertThat(heads.get()).as("asked again a minute later").isEqualTo(2);
  }

  @Test
  void badInputAndASecondRunAtOnceAreRefusedClearly() throws Exception {
    assertThatThrownBy(() -> migrations().plan(org, platform, platform)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("to");
    BackendInstanceId stranger = BackendInstanceId.of("s3", Map.of("bucket", "someone-elses"));
    assertThatThrownBy(() -> migrations().plan(org, stranger, platform)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("someone-elses").hasMessageContaining("configurations");
    assertThatThrownBy(() -> MigrationOptions.builder(" ").concurrency(0).bytesPerSecond(10).attempts(11).build())
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(v -> v.field()).containsExactly("actor", "concurrency", "bytesPerSecond", "attempts"));

    // a run in progress (slowed down by a rate limit) holds the move: a second one is refused
    AtomicBoolean started = new AtomicBoolean();
    Thread slow = new Thread(() -> migrations().run(org, platform, bucket.instanceId(), MigrationOptions.builder("ops")
        .concurrency(1).bytesPerSecond(256 << 10).build(), new MigrationListener() {
          @Override
          public void progress(MigrationStatus status) {
            started.set(true);
          }
        }));
    slow.start();
    while (!started.get()) {
      Thread.onSpinWait();
    }
    assertThatThrownBy(() -> migrations().run(org, platform, bucket.instanceId(), options(), MigrationListener.none()))
        .isInstanceOf(BackendUnavailableException.class).hasMessageContaining("another run");
    assertThat(migrations().status(org, platform).orElseThrow().state()).isEqualTo(MigrationStatus.State.RUNNING);
    slow.interrupt();
    slow.join();
    MigrationStatus stopped = migrations().status(org, platform).orElseThrow();
    assertThat(stopped.state()).as(stopped.toString()).isEqualTo(MigrationStatus.State.STOPPED);
    assertThat(stopped.failures()).isZero();
  }
}
