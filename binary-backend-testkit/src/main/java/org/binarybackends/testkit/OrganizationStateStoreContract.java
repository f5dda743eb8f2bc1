package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.CheckOutcome;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StateConflictException;
import org.binarybackends.activation.Transition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of every {@link OrganizationStateStore}: versioned compare-and-set that never lets
 * one writer overwrite another's update, and states that come back exactly as stored. A store's
 * test extends it with one method.
 */
public abstract class OrganizationStateStoreContract {
  protected static final OrganizationId ORG = OrganizationId.of("org-a");
  protected OrganizationStateStore store;

  /** For a store's test class, which extends it. */
  protected OrganizationStateStoreContract() {}

  /** A new, empty store. */
  protected abstract OrganizationStateStore createStore() throws Exception;

  @BeforeEach
  void open() throws Exception {
    store = createStore();
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** A state using every field: active and staged configurations, retired ones, checks, history; secrets in its settings. */
  protected static OrganizationState fullState(OrganizationId org) {
    Instant t = Instant.parse("2026-11-27T12:00:00.123Z");
    SettingsJson s3 = SettingsJson.of("{\"type\":\"s3\",\"bucket\":\"b1\",\"secret\":\"hunter2\"}");
    SettingsJson cf = SettingsJson.of("{\"type\":\"cloudfront\",\"privateKey\":\"-----BEGIN hunter3\"}");
    StorageConfiguration active = new StorageConfiguration("cfg-1", s3, BackendInstanceId.of("s3", Map.of("bucket", "b1")),
        Optional.of(cf), new PartState(PartStatus.ACTIVE, Optional.of(new CheckOutcome(t, true, false, "ok")), 0, 4),
        new PartState(PartStatus.DEGRADED, Optional.of(new CheckOutcome(t, false, false, "CloudFront answered 403 é")), 3, 0),
        t);
    StorageConfiguration staged = new StorageConfiguration("cfg-2", SettingsJson.of("{\"type\":\"s3\",\"bucket\":\"b2\"}"),
        BackendInstanceId.of("s3", Map.of("bucket", "b2")), Optional.empty(), PartState.pending(),
        new PartState(PartStatus.PENDING, Optional.of(new CheckOutcome(t, false, true, "SlowDown")), 0, 0), t);
    return OrganizationState.initial(org).withActive(Optional.of(active)).withStaged(Optional.of(staged))
        .withRetired(new StorageConfiguration("cfg-0", SettingsJson.of("{\"type\":\"s3\",\"bucket\":\"b0\"}"),
            BackendInstanceId.of("s3", Map.of("bucket", "b0")), Optional.empty(), PartState.pending(),
            PartState.pending(), t))
        // a retired configuration with a download configuration keeps it: its binaries are still signed there
        .withRetired(new StorageConfiguration("cfg-00", SettingsJson.of("{\"type\":\"s3\",\"bucket\":\"b00\"}"),
            BackendInstanceId.of("s3", Map.of("bucket", "b00")), Optional.of(SettingsJson.of(
                "{\"type\":\"cloudfront\",\"host\":\"d0.cloudfront.net\"}")), PartState.pending(), PartState.pending(), t))
        .withFallbackAllowed(true)
        .with(new Transition(t, "alice", "registered cfg-1", "customer onboarding"))
        .with(new Transition(t.plusSeconds(1), "activator", "upload configuration PENDING -> ACTIVE", "all checks passed"));
  }

  @Test
  void anUnknownOrganizationHasNoState() {
    assertThat(store.get(ORG)).isEmpty();
    assertThat(store.organizations()).doesNotContain(ORG);
  }

  @Test
  void statesComeBackExactlyAsStoredWithTheNextVersion() {
    OrganizationState full = fullState(ORG);
    OrganizationState stored = store.compareAndSet(0, full);
    assertThat(stored.version()).isEqualTo(1);
    assertThat(store.get(ORG)).hasValue(stored);
    assertThat(store.get(ORG).orElseThrow()).isEqualTo(full.withVersion(1));
    OrganizationState second = store.compareAndSet(1, stored.withFallbackAllowed(false));
    assertThat(second.version()).isEqualTo(2);
    assertThat(store.get(ORG).orElseThrow().fallbackAllowed()).isFalse();
    assertThat(store.organizations()).contains(ORG);
  }

  @Test
  void aStaleVersionIsRefusedAndChangesNothing() {
    OrganizationState v1 = store.compareAndSet(0, OrganizationState.initial(ORG));
    store.compareAndSet(1, v1.withFallbackAllowed(true));
    assertThatThrownBy(() -> store.compareAndSet(1, v1.with(new Transition(Instant.EPOCH, "x", "lost", "stale"))))
        .isInstanceOfSatisfying(StateConflictException.class, e -> {
          assertThat(e.expected()).isEqualTo(1);
          assertThat(e.actual()).isEqualTo(2);
        });
    assertThatThrownBy(() -> store.compareAndSet(0, OrganizationState.initial(ORG)))
        .isInstanceOf(StateConflictException.class);
    assertThatThrownBy(() -> store.compareAndSet(5, OrganizationState.initial(OrganizationId.of("org-new"))))
        .isInstanceOf(StateConflictException.class);
    OrganizationState now = store.get(ORG).orElseThrow();
    assertThat(now.version()).isEqualTo(2);
    assertThat(now.fallbackAllowed()).isTrue();
    assertThat(now.history()).isEmpty();
    assertThat(store.get(OrganizationId.of("org-new"))).isEmpty();
  }

  @Test
  void organizationsAreKeptApartEvenWhenTheirIdsDifferOnlyInCase() {
    store.compareAndSet(0, OrganizationState.initial(OrganizationId.of("ORG")).withFallbackAllowed(true));
    store.compareAndSet(0, OrganizationState.initial(OrganizationId.of("org")));
    assertThat(store.get(OrganizationId.of("ORG")).orElseThrow().fallbackAllowed()).isTrue();
    assertThat(store.get(OrganizationId.of("org")).orElseThrow().fallbackAllowed()).isFalse();
    assertThat(store.organizations()).contains(OrganizationId.of("ORG"), OrganizationId.of("org"));
  }

  @Test
  void concurrentCompareAndSetLosesNoUpdate() throws Exception {
    int threads = 8;
    int updates = 20;
    store.compareAndSet(0, OrganizationState.initial(ORG));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> conflicts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        conflicts.add(pool.submit(() -> {
          start.await();
          int lost = 0;
          for (int i = 0; i < updates; i++) {
            while (true) {
              OrganizationState current = store.get(ORG).orElseThrow();
              try {
                store.compareAndSet(current.version(), current.with(
                    new Transition(Instant.EPOCH, "thread-" + thread, "update " + i, "concurrent")));
                break;
              } catch (StateConflictException e) {
                lost++; // someone else won this round: read again
              }
            }
          }
          return lost;
        }));
      }
      start.countDown();
      for (Future<Integer> f : conflicts) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    OrganizationState last = store.get(ORG).orElseThrow();
    assertThat(last.version()).isEqualTo(1 + threads * updates);
    assertThat(last.history()).hasSize(threads * updates);
    for (int t = 0; t < threads; t++) {
      String actor = "thread-" + t;
      assertThat(last.history().stream().filter(h -> h.actor().equals(actor)).map(Transition::change))
          .as("updates of %s, in order", actor)
          .containsExactlyElementsOf(java.util.stream.IntStream.range(0, updates).mapToObj(i -> "update " + i).toList());
    }
  }

  @Test
  void historyKeepsTheMostRecentTransitions() {
    OrganizationState s = OrganizationState.initial(ORG);
    for (int i = 0; i < OrganizationState.MAX_HISTORY + 50; i++) {
      s = s.with(new Transition(Instant.EPOCH.plusSeconds(i), "a", "change " + i, "r"));
    }
    OrganizationState stored = store.compareAndSet(0, s);
    assertThat(store.get(ORG).orElseThrow().history()).hasSize(OrganizationState.MAX_HISTORY)
        .isEqualTo(stored.history());
    assertThat(stored.history().get(0).change()).isEqualTo("change 50");
  }
}
