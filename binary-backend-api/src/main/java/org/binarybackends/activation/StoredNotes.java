package org.binarybackends.activation;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.binarybackends.InvalidInputException;
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

  @Override
  public Map<String, String> list(OrganizationId organization, String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    return store.get(organization).map(s -> {
      Map<String, String> out = new TreeMap<>(s.notes());
      out.keySet().removeIf(name -> !name.startsWith(prefix));
      return out;
    }).orElse(Map.of());
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
      if (before.isEmpty() && current.notes().size() >= OrganizationState.MAX_NOTES) {
        throw InvalidInputException.of("name", name, "a note among at most " + OrganizationState.MAX_NOTES
            + " per organization; this one would be the " + (OrganizationState.MAX_NOTES + 1) + "th");
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
