package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.StateConflictException;
import org.binarybackends.activation.Transition;
import org.binarybackends.spi.SharedNotes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of every {@link NoteStore}: per organization and name, versioned compare-and-set that
 * loses no update, bounded, and apart from the organizations' states (a note never changes a state's
 * version, and the state's updates never a note). A store's test extends it with one method.
 */
public abstract class NoteStoreContract {
  protected static final OrganizationId ORG = OrganizationId.of("org-a");
  /** The store under test; also an {@link OrganizationStateStore}, as the library's stores are. */
  protected NoteStore notes;

  /** For a store's test class, which extends it. */
  protected NoteStoreContract() {}

  /** A new, empty store that keeps both states and notes (it must implement {@link NoteStore} too). */
  protected abstract OrganizationStateStore createStore() throws Exception;

  private OrganizationStateStore states;

  @BeforeEach
  void open() throws Exception {
    OrganizationStateStore store = createStore();
    states = store;
    notes = (NoteStore) store;
  }

  @AfterEach
  void close() {
    states.close();
  }

  @Test
  void aNoteIsCreatedAtVersionOneChangedByCompareAndSetAndRemoved() {
    assertThat(notes.get(ORG, "cloudfront/h/K1/latest-expiry")).isEmpty();
    assertThat(notes.compareAndSet(ORG, "cloudfront/h/K1/latest-expiry", 0, Optional.of("2026-12-01T13:00:00Z")))
        .hasValue(new NoteStore.Note("2026-12-01T13:00:00Z", 1));
    assertThat(notes.compareAndSet(ORG, "cloudfront/h/K1/latest-expiry", 1, Optional.of("é \"quoted\"")))
        .hasValue(new NoteStore.Note("é \"quoted\"", 2));
    assertThat(notes.get(ORG, "cloudfront/h/K1/latest-expiry")).hasValue(new NoteStore.Note("é \"quoted\"", 2));
    assertThat(notes.compareAndSet(ORG, "cloudfront/h/K1/latest-expiry", 2, Optional.empty())).isEmpty();
    assertThat(notes.get(ORG, "cloudfront/h/K1/latest-expiry")).isEmpty();
    assertThat(notes.compareAndSet(ORG, "cloudfront/h/K1/latest-expiry", 0, Optional.of("again")))
        .hasValue(new NoteStore.Note("again", 1));
  }

  @Test
  void aStaleVersionIsRefusedAndChangesNothing() {
    notes.compareAndSet(ORG, "n", 0, Optional.of("one"));
    notes.compareAndSet(ORG, "n", 1, Optional.of("two"));
    assertThatThrownBy(() -> notes.compareAndSet(ORG, "n", 1, Optional.of("lost")))
        .isInstanceOfSatisfying(StateConflictException.class, e -> {
          assertThat(e.expected()).isEqualTo(1);
          assertThat(e.actual()).isEqualTo(2);
          assertThat(e.getMessage()).contains("note n of organization org-a");
        });
    assertThatThrownBy(() -> notes.compareAndSet(ORG, "n", 0, Optional.of("lost"))).isInstanceOf(
        StateConflictException.class);
    assertThatThrownBy(() -> notes.compareAndSet(ORG, "absent", 3, Optional.empty())).isInstanceOf(
        StateConflictException.class);
    assertThat(notes.get(ORG, "n")).hasValue(new NoteStore.Note("two", 2));
  }

  @Test
  void organizationsAndPrefixesAreKeptApart() {
    OrganizationId upper = OrganizationId.of("ORG-A");
    notes.compareAndSet(ORG, "cloudfront/h/K1/trusted", 0, Optional.of("t1"));
    notes.compareAndSet(ORG, "cloudfront/h/K2/trusted", 0, Optional.of("t2"));
    notes.compareAndSet(ORG, "other", 0, Optional.of("o"));
    notes.compareAndSet(upper, "cloudfront/h/K1/trusted", 0, Optional.of("theirs"));
    assertThat(notes.list(ORG, "cloudfront/h/")).containsExactly(
        Map.entry("cloudfront/h/K1/trusted", new NoteStore.Note("t1", 1)),
        Map.entry("cloudfront/h/K2/trusted", new NoteStore.Note("t2", 1)));
    assertThat(notes.list(upper, "")).containsOnlyKeys("cloudfront/h/K1/trusted");
    assertThat(notes.list(OrganizationId.of("org-none"), "")).isEmpty();
  }

  @Test
  void badNamesTooLongValuesAndOneNoteTooManyAreRefused() {
    assertThatThrownBy(() -> notes.compareAndSet(ORG, "bad name", 0, Optional.of("x")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("name");
    assertThatThrownBy(() -> notes.compareAndSet(ORG, "big", 0, Optional.of("x".repeat(SharedNotes.MAX_VALUE + 1))))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("value");
    assertThat(notes.get(ORG, "big")).isEmpty();
    for (int i = 0; i < NoteStore.MAX_NOTES; i++) {
      notes.compareAndSet(ORG, "filler-" + i, 0, Optional.of("x"));
    }
    assertThatThrownBy(() -> notes.compareAndSet(ORG, "one-too-many", 0, Optional.of("x")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("at most 256");
    assertThat(notes.get(ORG, "one-too-many")).isEmpty();
    assertThat(notes.compareAndSet(ORG, "filler-0", 1, Optional.of("changed"))).as("an existing note may change")
        .hasValue(new NoteStore.Note("changed", 2));
  }

  @Test
  void sharedNotesLoseNoUpdateWhileTheStateChangesBesideThem() throws Exception {
    SharedNotes shared = notes.asSharedNotes();
    states.compareAndSet(0, OrganizationState.initial(ORG));
    int threads = 4;
    int updates = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        work.add(pool.submit(() -> {
          for (int i = 0; i < updates; i++) {
            shared.update(ORG, "counter", v -> Optional.of(Integer.toString(v.map(Integer::parseInt).orElse(0) + 1)));
          }
          return null;
        }));
      }
      work.add(pool.submit(() -> { // the activator's own updates interleave
        for (int i = 0; i < updates; i++) {
          while (true) {
            OrganizationState current = states.get(ORG).orElseThrow();
            try {
              states.compareAndSet(current.version(), current.with(new Transition(Instant.EPOCH, "activator", "t" + i,
                  "r")));
              break;
            } catch (StateConflictException e) {
              // read again
            }
          }
        }
        return null;
      }));
      for (Future<?> f : work) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(shared.get(ORG, "counter")).hasValue(Integer.toString(threads * updates));
    assertThat(notes.get(ORG, "counter").orElseThrow().version()).isEqualTo(threads * updates);
    OrganizationState state = states.get(ORG).orElseThrow();
    assertThat(state.version()).as("the notes never moved the state").isEqualTo(1 + updates);
    assertThat(state.history()).hasSize(updates);
    shared.update(ORG, "counter", v -> Optional.empty());
    assertThat(shared.get(ORG, "counter")).isEmpty();
    assertThat(states.get(ORG).orElseThrow().version()).isEqualTo(1 + updates);
  }
}
