package org.binarybackends.activation;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.SharedNotes;

/**
 * {@link SharedNotes} kept in each organization's {@link OrganizationState} ({@code notes}), so every
 * service instance sharing the {@link OrganizationStateStore} sees them. Updates are
 * compare-and-set on the state's version, recomputed after a conflict with another instance (or the
 * {@link Activator}). Thread-safe.
 */
public final class StoredNotes implements SharedNotes {
  private static final int ATTEMPTS = 20;

  private final OrganizationStateStore store;

  public StoredNotes(OrganizationStateStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public Optional<String> get(OrganizationId organization, String name) {
    return store.get(organization).flatMap(s -> Optional.ofNullable(s.notes().get(name)));
  }

  /**
   * {@inheritDoc}
   *
   * @throws StateConflictException if the state kept changing under {@value #ATTEMPTS} attempts
   */
  @Override
  public Optional<String> update(OrganizationId organization, String name, UnaryOperator<Optional<String>> change) {
    Objects.requireNonNull(change, "change");
    SharedNotes.check(name, Optional.empty());
    for (int attempt = 1; ; attempt++) {
      OrganizationState current = store.get(organization).orElseGet(() -> OrganizationState.initial(organization));
      Optional<String> before = Optional.ofNullable(current.notes().get(name));
      Optional<String> after = change.apply(before);
      SharedNotes.check(name, after);
      if (after.equals(before)) {
        return after;
      }
      try {
        store.compareAndSet(current.version(), current.withNote(name, after.orElse(null)));
        return after;
      } catch (StateConflictException e) {
        if (attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public String toString() {
    return "StoredNotes{" + store + "}";
  }
}
