package org.binarybackends.activation.internal;

import org.binarybackends.activation.NoteStore;
import org.binarybackends.activation.StateConflictException;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.SharedNotes;

/**
 * {@link SharedNotes} kept in a {@link NoteStore} (the state store's own, in the stores the library
 * ships), so every service instance sharing it sees them. An update is a compare-and-set of that one
 * note, recomputed after a conflict with another instance; it never touches an organization's
 * activation state. Thread-safe.
 */
public final class StoredNotes implements SharedNotes {
  private static final int ATTEMPTS = 50;

  private final NoteStore store;

  public StoredNotes(NoteStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public Optional<String> get(OrganizationId organization, String name) {
    return store.get(organization, name).map(NoteStore.Note::value);
  }

  @Override
  public Map<String, String> list(OrganizationId organization, String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    Map<String, String> out = new TreeMap<>();
    store.list(organization, prefix).forEach((name, note) -> out.put(name, note.value()));
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * @throws StateConflictException if the note kept changing under {@value #ATTEMPTS} attempts
   */
  @Override
  public Optional<String> update(OrganizationId organization, String name, UnaryOperator<Optional<String>> change) {
    Objects.requireNonNull(change, "change");
    SharedNotes.check(name, Optional.empty());
    for (int attempt = 1; ; attempt++) {
      Optional<NoteStore.Note> current = store.get(organization, name);
      Optional<String> before = current.map(NoteStore.Note::value);
      Optional<String> after = change.apply(before);
      SharedNotes.check(name, after);
      if (after.equals(before)) {
        return after;
      }
      try {
        store.compareAndSet(organization, name, current.map(NoteStore.Note::version).orElse(0L), after);
        return after;
      } catch (StateConflictException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
        // another writer won this round; a short random pause keeps many from colliding again and again
        java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.ThreadLocalRandom.current()
            .nextLong(1, 10_000L << Math.min(attempt, 6)));
      }
    }
  }

  @Override
  public String toString() {
    return "StoredNotes{" + store + "}";
  }
}
