package org.binarybackends.testkit;

import org.binarybackends.activation.ActivationEvent;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.Transition;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.activation.UploadsSuspendedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activation rule end to end, on backends whose verification the test decides. */
class ActivationTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final SettingsJson BUCKET_1 = SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-1"));
  private static final SettingsJson BUCKET_2 = SettingsJson.of(ControlledBackendProvider.settingsJson("bucket-2"));

  private ControlledPlatform platform;
  private BinaryBackends binaries;
  private ManualClock clock;
  private ControlledBackendProvider provider;
  private List<ActivationEvent> events;
  private CountingStore store;
  private BinaryBackend platformDefault;

  /** A store that counts reads, to show that resolving a cached organization does no I/O. */
  static final class CountingStore extends ForwardingStateStore {
    final AtomicInteger gets = new AtomicInteger();

    CountingStore(OrganizationStateStore inner) {
      super(inner);
    }

    @Override
    public Optional<OrganizationState> get(OrganizationId organization) {
      gets.incrementAndGet();
      return super.get(organization);
    }
  }

  @BeforeEach
  void setUp() {
    store = new CountingStore(new InMemoryStateStore());
    platform = ControlledPlatform.start(store, ActivationPolicy.builder().jitter(0).allowedTypes("controlled").build(),
        Duration.ofHours(1));
    binaries = platform.binaries();
    clock = platform.clock();
    provider = platform.provider();
    events = platform.events();
    platformDefault = binaries.defaultStorage();
  }

  @AfterEach
  void tearDown() {
    platform.close();
  }

  /** Checks the organization now, and returns the state stored. */
  private OrganizationState check() {
    binaries.check(ORG);
    return state();
  }

  private OrganizationState state() {
    return store.get(ORG).orElseThrow();
  }

  private StoredBinary upload(String key, String content) {
    UploadTarget target = binaries.forUpload(ORG);
    return target.backend().put(ORG, ObjectKey.of(key), new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }

  private String readBack(StoredBinary binary) throws Exception {
    try (BinaryContent c = binaries.forBinary(binary.location()).read(ORG, binary.key())) {
      return new String(c.stream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aPassWithAWarningKeepsTheWarningInTheStateAndOnceInTheHistoryAndLog() {
    ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
        "org.binarybackends.activation"); // its activator logs under it
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
        new ch.qos.logback.core.read.ListAppender<>();
    log.start();
    logger.addAppender(log);
    try {
      provider.control("bucket-1").passWithWarning("the role may not abort a multipart upload");
      binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
      OrganizationState first = check();
      OrganizationState second = check();
      OrganizationState third = check();
      PartState upload = third.active().orElseThrow().uploadState();
      assertThat(upload.status()).isEqualTo(PartStatus.ACTIVE);
      assertThat(upload.reason()).contains("passed").contains("with warnings: controlled: the role may not abort");
      // in the transitions that activated the parts (one backend serves both), not again by the checks after
      assertThat(third.history()).filteredOn(t -> (t.change() + t.reason()).contains("may not abort"))
          .extracting(Transition::change).allSatisfy(c -> assertThat(c).contains("PENDING -> ACTIVE"))
          .anySatisfy(c -> assertThat(c).startsWith("upload configuration")).hasSize(2);
      assertThat(log.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
          .filteredOn(e -> e.getFormattedMessage().contains("may not abort")).hasSize(1);
      assertThat(first.switched()).isTrue();
      assertThat(second.history()).hasSameSizeAs(third.history());

      provider.control("bucket-1").passWithWarning("another warning");
      OrganizationState changed = check();
      assertThat(changed.history().subList(changed.history().size() - 2, changed.history().size()))
          .extracting(Transition::change, t -> t.reason().contains("another warning"))
          .containsExactly(org.assertj.core.groups.Tuple.tuple("upload configuration warns: "
              + changed.active().orElseThrow().id() + " (ACTIVE)", true), org.assertj.core.groups.Tuple.tuple(
              "download configuration warns: " + changed.active().orElseThrow().id() + " (ACTIVE)", true));
      assertThat(log.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
          .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
          .satisfiesExactly(m -> assertThat(m).contains("may not abort"), m -> assertThat(m).contains("another warning"));
      // every transition stored reaches the listeners, warnings included
      assertThat(events).extracting(ActivationEvent::transition).containsExactlyElementsOf(changed.history());
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void anOrganizationWithoutItsOwnStorageUsesTheDefault() {
    UploadTarget t = binaries.forUpload(ORG);
    assertThat(t.custom()).isFalse();
    assertThat(t.backend()).isSameAs(platformDefault);
    assertThat(t.reason()).isEqualTo("no storage of its own is registered");
  }

  @Test
  void uploadsStayOnTheDefaultStorageUntilBothPartsAreVerifiedThenSwitch() throws Exception {
    provider.control("bucket-1").fail("STS AccessDenied assuming arn:aws:iam::123456789012:role/r: trust policy not applied yet");
    StoredBinary before = upload("fw/1.bin", "one");
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    OrganizationState pending = check();
    assertThat(pending.active()).isEmpty();
    assertThat(pending.staged().orElseThrow().uploadState().status()).isEqualTo(PartStatus.PENDING);
    UploadTarget t = binaries.forUpload(ORG);
    assertThat(t.custom()).isFalse();
    assertThat(t.reason()).startsWith("pending: upload configuration pending: controlled: STS AccessDenied")
        .contains("download configuration pending");

    provider.control("bucket-1").pass();
    OrganizationState switched = check();
    assertThat(switched.active()).isPresent();
    assertThat(switched.staged()).isEmpty();
    assertThat(switched.switched()).isTrue();
    UploadTarget custom = binaries.forUpload(ORG);
    assertThat(custom.custom()).isTrue();
    assertThat(custom.backend().instanceId().toString()).isEqualTo("controlled{name=bucket-1}");
    StoredBinary after = upload("fw/2.bin", "two");
    assertThat(after.location().instance().toString()).isEqualTo("controlled{name=bucket-1}");
    assertThat(before.location().instance().toString()).isEqualTo("controlled{name=platform-default}");
    assertThat(readBack(before)).isEqualTo("one");
    assertThat(readBack(after)).isEqualTo("two");
    assertThat(provider.bytes("bucket-1", ORG, ObjectKey.of("fw/2.bin"))).isPresent();

    assertThat(events).extracting(e -> e.transition().change()).anySatisfy(c -> assertThat(c).startsWith("staged cfg-"))
        .anySatisfy(c -> assertThat(c).contains("upload configuration of cfg-").endsWith("PENDING -> ACTIVE"))
        .anySatisfy(c -> assertThat(c).startsWith("switched to cfg-"));
    assertThat(events.get(0).transition().actor()).isEqualTo("alice");
    assertThat(switched.history()).extracting(Transition::change).last().asString().startsWith("switched to");
  }

  @Test
  void onlyDefiniteFailuresDegradeAndOnlyRepeatedPassesRecover() {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    provider.control("bucket-1").failRetryably("503 SlowDown");
    for (int i = 0; i < 10; i++) {
      binaries.check(ORG);
    }
    assertThat(binaries.forUpload(ORG).custom()).as("throttling never degrades").isTrue();

    provider.control("bucket-1").fail("PutObject AccessDenied: the role's policy lacks s3:PutObject");
    binaries.check(ORG);
    binaries.check(ORG);
    assertThat(binaries.forUpload(ORG).custom()).as("2 of 3 definite failures").isTrue();
    provider.control("bucket-1").failRetryably("timeout");
    binaries.check(ORG); // neither counts nor resets
    provider.control("bucket-1").fail("PutObject AccessDenied: the role's policy lacks s3:PutObject");
    BinaryBackend serving = binaries.forUpload(ORG).backend();
    StoredBinary kept = upload("fw/kept.bin", "kept");
    int closedBefore = provider.closed();
    OrganizationState degraded = check();
    // degraded suspends uploads, not reads: the same backend serves what it holds, none was closed
    assertThat(provider.closed()).isEqualTo(closedBefore);
    assertThat(binaries.forBinary(kept.location())).isSameAs(serving);
    try {
      assertThat(readBack(kept)).isEqualTo("kept");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(degraded.active().orElseThrow().uploadState().status()).isEqualTo(PartStatus.DEGRADED);
    assertThatThrownBy(() -> binaries.forUpload(ORG)).isInstanceOf(UploadsSuspendedException.class)
        .hasMessageContaining("lacks s3:PutObject").hasMessageContaining("unless fallback is allowed")
        .satisfies(e -> assertThat(e.getMessage().split("lacks s3:PutObject", -1)).as("the diagnosis said once, for"
            + " one backend serving both parts").hasSize(2))
        .hasMessageContaining("download configuration degraded: the same (one backend serves both)");

    binaries.allowFallback(ORG, true, "ops");
    UploadTarget fallback = binaries.forUpload(ORG);
    assertThat(fallback.custom()).isFalse();
    assertThat(fallback.reason()).startsWith("degraded: ").contains("as allowed for this organization");
    binaries.allowFallback(ORG, false, "ops");
    assertThatThrownBy(() -> binaries.forUpload(ORG)).isInstanceOf(UploadsSuspendedException.class);

    provider.control("bucket-1").pass();
    binaries.check(ORG);
    assertThatThrownBy(() -> binaries.forUpload(ORG)).as("1 of 2 passes").isInstanceOf(UploadsSuspendedException.class);
    binaries.check(ORG);
    assertThat(binaries.forUpload(ORG).custom()).isTrue();
  }

  @Test
  void aChangeIsStagedWhileTheOldConfigurationServesAndAFailedChangeLeavesItWorking() throws Exception {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    StoredBinary old = upload("fw/old.bin", "old");
    int closedBefore = provider.closed();

    provider.control("bucket-2").fail("PermanentRedirect: bucket is in eu-west-1, configured us-east-1");
    binaries.register(ORG, BUCKET_2, Optional.empty(), "alice");
    for (int i = 0; i < 5; i++) {
      binaries.check(ORG);
    }
    UploadTarget t = binaries.forUpload(ORG);
    assertThat(t.backend().instanceId().toString()).isEqualTo("controlled{name=bucket-1}");
    assertThat(upload("fw/during.bin", "during").location().instance().toString()).isEqualTo("controlled{name=bucket-1}");

    try (BinaryContent inFlight = binaries.forBinary(old.location()).read(ORG, old.key())) {
      provider.control("bucket-2").pass();
      OrganizationState switched = check();
      assertThat(switched.active().orElseThrow().uploadInstance().toString()).isEqualTo("controlled{name=bucket-2}");
      assertThat(switched.retired()).containsKey(old.location().instance());
      assertThat(provider.closed()).as("a read in flight keeps the old backend open").isEqualTo(closedBefore);
      assertThat(new String(inFlight.stream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("old");
    }
    assertThat(provider.closed()).as("closed when the last call ended").isEqualTo(closedBefore + 1);
    assertThat(upload("fw/new.bin", "new").location().instance().toString()).isEqualTo("controlled{name=bucket-2}");
    assertThat(readBack(old)).as("rebuilt on demand from the retired configuration").isEqualTo("old");
  }

  @Test
  void aRetiredBackendIsClosedAfterItsGraceEvenWithACallInFlight() throws Exception {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    StoredBinary old = upload("fw/old.bin", "old");
    BinaryContent stuck = binaries.forBinary(old.location()).read(ORG, old.key());
    int closedBefore = provider.closed();
    binaries.register(ORG, BUCKET_2, Optional.empty(), "alice");
    binaries.check(ORG);
    clock.advance(Duration.ofMinutes(59));
    binaries.runDueChecks();
    assertThat(provider.closed()).isEqualTo(closedBefore);
    clock.advance(Duration.ofMinutes(2));
    binaries.runDueChecks();
    assertThat(provider.closed()).isEqualTo(closedBefore + 1);
    stuck.close();
  }

  @Test
  void removingIsExplicitAndKeepsStoredBinariesReadableUntilForgotten() throws Exception {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    StoredBinary kept = upload("fw/kept.bin", "kept");
    binaries.remove(ORG, "alice");
    OrganizationState removed = state();
    assertThat(removed.switched()).isFalse();
    assertThat(removed.history()).last().satisfies(t -> assertThat(t.reason())
        .contains("new uploads go to the default storage").contains("stay readable"));
    assertThat(binaries.forUpload(ORG).custom()).isFalse();
    assertThat(readBack(kept)).isEqualTo("kept");
    binaries.forgetRetired(ORG, kept.location().instance(), "alice");
    assertThatThrownBy(() -> binaries.forBinary(kept.location())).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("location.instance");
  }

  @Test
  void operationsOnWhatAnOrganizationDoesNotHaveAreRefused() {
    assertThatThrownBy(() -> binaries.remove(ORG, "alice")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("has none");
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    assertThatThrownBy(() -> binaries.forgetRetired(ORG, platformDefault.instanceId(), "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("retired instances of organization org-a: []");
    assertThat(store.get(ORG).orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void registeringTheActiveSettingsAgainKeepsTheirBackendOpen() {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    BinaryBackend before = binaries.forUpload(ORG).backend();
    int closed = provider.closed();
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    assertThat(binaries.forUpload(ORG).backend()).isSameAs(before);
    assertThat(provider.closed()).isEqualTo(closed);
  }

  @Test
  void twoInstancesRegisteringAtOnceLoseNoTransition() throws Exception {
    BinaryBackends other = platform.anotherInstance();
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (BinaryBackends a : List.of(binaries, other)) {
        String actor = a == binaries ? "instance-1" : "instance-2";
        done.add(threads.submit(() -> {
          go.await();
          for (int i = 0; i < 25; i++) {
            a.register(ORG, i % 2 == 0 ? BUCKET_1 : BUCKET_2, Optional.empty(), actor);
          }
          return null;
        }));
      }
      go.countDown();
      for (var f : done) {
        f.get(1, java.util.concurrent.TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    OrganizationState s = store.get(ORG).orElseThrow();
    assertThat(s.version()).isEqualTo(50);
    assertThat(s.history()).hasSize(50);
    assertThat(s.history().stream().filter(t -> t.actor().equals("instance-1"))).hasSize(25);
    assertThat(s.staged()).isPresent();
  }

  @Test
  void scheduledChecksRunSideBySideSoASlowStorageHoldsUpNoOtherOrganization() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch otherSwitched = new java.util.concurrent.CountDownLatch(1);
    OrganizationId slowOrg = OrganizationId.of("org-slow");
    provider.control("slow-bucket").holdVerificationUntil(release);
    binaries.register(slowOrg, SettingsJson.of(ControlledBackendProvider.settingsJson("slow-bucket")), "a");
    binaries.register(ORG, BUCKET_1, "alice");
    // a service instance that checks on its own schedule, 2 organizations at a time, as a platform runs it
    BinaryBackends.Builder scheduled = BinaryBackends.builder().stateStore(new ForwardingStateStore(store))
        .defaultStorage(platformDefault).registry(BinaryBackendRegistry.of(provider))
        .context(org.binarybackends.spi.BackendContext.builder().clock(clock).build())
        .policy(ActivationPolicy.builder().jitter(0).allowedTypes("controlled").build())
        .listener(e -> {
          if (e.state().organization().equals(ORG) && e.transition().change().startsWith("switched")) {
            otherSwitched.countDown();
          }
        });
    BinaryBackends running = scheduled.checks(Duration.ofMillis(10), 2).build();
    clock.advance(ActivationPolicy.builder().build().pendingFirstDelay()); // a starting instance waits that long first
    try {
      assertThat(otherSwitched.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(store.get(slowOrg).orElseThrow().staged().orElseThrow().uploadState().lastCheck()).isEmpty();
    } finally {
      release.countDown();
      running.close();
    }
    assertThatThrownBy(() -> scheduled.checks(Duration.ofMillis(10), 0).build()).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("checks.parallel");
  }

  @Test
  void invalidConfigurationsAreRefusedAndChangeNothing() {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    OrganizationState before = store.get(ORG).orElseThrow();
    assertThatThrownBy(() -> binaries.register(ORG, SettingsJson.of("{\"type\":\"s4\",\"secret\":\"hunter2\"}"),
        Optional.empty(), "alice")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageContaining("[controlled]").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> binaries.register(ORG, BUCKET_1,
        Optional.of(SettingsJson.of("{\"type\":\"controlled\"}")), "alice"))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> SettingsJson.of("{\"secret\":\"hunter2\"}")).isInstanceOf(InvalidConfigurationException.class)
        .hasMessageNotContaining("hunter2");
    assertThat(store.get(ORG)).hasValue(before);
  }

  @Test
  void aResolvedOrganizationIsAnsweredFromTheCacheWithoutTouchingTheStore() {
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    binaries.forUpload(ORG);
    int reads = store.gets.get();
    for (int i = 0; i < 10_000; i++) {
      assertThat(binaries.forUpload(ORG).custom()).isTrue();
    }
    assertThat(store.gets.get()).isEqualTo(reads);
  }

  @Test
  void anotherInstancesChangesReachThisOneAtItsNextCheck() {
    BinaryBackends other = platform.anotherInstance();
    assertThat(other.forUpload(ORG).custom()).isFalse();
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    binaries.check(ORG);
    assertThat(other.forUpload(ORG).custom()).as("not yet refreshed").isFalse();
    other.check(ORG);
    assertThat(other.forUpload(ORG).custom()).isTrue();
  }

  @Test
  void downloadsAreSignedByTheDownloadPart() {
    SettingsJson cdn = SettingsJson.of(ControlledBackendProvider.settingsJson("cdn-1"));
    provider.control("cdn-1").fail("CloudFront answered 403 to a signed URL: the key pair id is not in the trusted key group");
    binaries.register(ORG, BUCKET_1, Optional.of(cdn), "alice");
    OrganizationState s = check();
    assertThat(s.staged().orElseThrow().uploadState().status()).isEqualTo(PartStatus.ACTIVE);
    assertThat(binaries.forUpload(ORG).reason()).startsWith("pending: download configuration pending: controlled: CloudFront");
    provider.control("cdn-1").pass();
    binaries.check(ORG);
    StoredBinary b = upload("fw/x.bin", "x");
    assertThat(binaries.signDownloadUrl(b.location(), Duration.ofMinutes(5)).uri().getHost()).isEqualTo("cdn-1");
    StoredBinary onDefault = platformDefault.put(ORG, ObjectKey.of("fw/d.bin"), InputStream.nullInputStream());
    assertThat(binaries.signDownloadUrl(onDefault.location(), Duration.ofMinutes(5)).uri().getHost())
        .isEqualTo("platform-default");

    // replaced by another configuration, or removed: its binaries are still signed by its CDN,
    // never by the bucket behind the distribution's back
    binaries.register(ORG, BUCKET_2, Optional.empty(), "alice");
    OrganizationState replaced = check();
    assertThat(replaced.active().orElseThrow().uploadInstance().toString()).isEqualTo("controlled{name=bucket-2}");
    assertThat(replaced.retired()).containsKey(b.location().instance());
    assertThat(binaries.signDownloadUrl(b.location(), Duration.ofMinutes(5)).uri().getHost()).isEqualTo("cdn-1");
    binaries.remove(ORG, "alice");
    assertThat(binaries.signDownloadUrl(b.location(), Duration.ofMinutes(5)).uri().getHost()).isEqualTo("cdn-1");
  }

  @Test
  void checksAreScheduledWithBackoffForPendingAndIntervalsForActive() {
    ActivationPolicy p = ActivationPolicy.builder().jitter(0).build();
    provider.control("bucket-1").fail("not yet");
    binaries.register(ORG, BUCKET_1, Optional.empty(), "alice");
    assertThat(binaries.status(ORG).nextCheck()).hasValue(clock.instant());
    Duration[] expected = {Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120)};
    for (Duration d : expected) {
      Instant now = clock.instant();
      assertThat(binaries.runDueChecks()).isEqualTo(1);
      assertThat(binaries.status(ORG).nextCheck()).hasValue(now.plus(d));
      clock.set(now.plus(d));
    }
    assertThat(p.pendingDelay(50)).isEqualTo(Duration.ofMinutes(30));
    provider.control("bucket-1").pass();
    binaries.runDueChecks();
    assertThat(binaries.status(ORG).nextCheck()).hasValue(clock.instant().plus(Duration.ofMinutes(15)));
    assertThat(binaries.runDueChecks()).as("nothing due").isZero();
    assertThatThrownBy(() -> ActivationPolicy.builder().jitter(1.5).degradeAfter(0).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(v -> v.field()).containsExactly("jitter", "degradeAfter"));
  }
}
