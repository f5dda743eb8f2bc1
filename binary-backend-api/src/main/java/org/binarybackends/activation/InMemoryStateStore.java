package org.binarybackends.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.OrganizationId;

/** Organization states and notes in this process's memory: for tests and single-instance services. Thread-safe. */
public final class InMemoryStateStore implements OrganizationStateStore, NoteStore {
  private final ConcurrentHashMap<OrganizationId, OrganizationState> states = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<OrganizationId, java.util.Map<String, Note>> notes = new ConcurrentHashMap<>();

  /** An empty store. */
  public InMemoryStateStore() {}

  @Override
  public Optional<OrganizationState> get(OrganizationId organization) {
    return Optional.ofNullable(states.get(organization));
  }

  @Override
  public OrganizationState compareAndSet(long expectedVersion, OrganizationState next) {
    OrganizationState stored = next.withVersion(expectedVersion + 1);
    states.compute(next.organization(), (org, current) -> {
      long actual = current == null ? 0 : current.version();
      if (actual != expectedVersion) {
        throw new StateConflictException(org, expectedVersion, actual);
      }
      return stored;
    });
    return stored;
  }

  @Override
  public List<OrganizationId> organizations() {
    List<OrganizationId> out = new ArrayList<>(states.keySet());
    Collections.sort(out);
    return out;
  }

  @Override
  public Optional<Note> get(OrganizationId organization, String name) {
    return Optional.ofNullable(notes.getOrDefault(organization, java.util.Map.of()).get(name));
  }

  @Override
  public java.util.Map<String, Note> list(OrganizationId organization, String prefix) {
    java.util.Objects.requireNonNull(prefix, "prefix");
    return NoteMaps.withPrefix(notes.getOrDefault(organization, java.util.Map.of()), prefix);
  }

  @Override
  public Optional<Note> compareAndSet(OrganizationId organization, String name, long expectedVersion,
      Optional<String> value) {
    java.util.Map<String, Note> after = notes.compute(organization, (org, current) -> java.util.Collections
        .unmodifiableMap(NoteMaps.apply(current == null ? java.util.Map.of() : current, org, name, expectedVersion,
            value)));
    return Optional.ofNullable(after.get(name));
  }

  @Override
  public void close() {}
}
