package org.binarybackends.testkit;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.NoteStore;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;

/**
 * A state and note store that hands every call to another: a test overrides what it watches (reads
 * counted, a close recorded) and leaves the rest. Closing it closes nothing unless overridden: the
 * store it forwards to is the test's to close.
 */
public class ForwardingStateStore implements OrganizationStateStore, NoteStore {
  private final OrganizationStateStore states;
  private final NoteStore notes;

  /** Forwards to {@code store}, which must keep notes too (the library's stores do). */
  public ForwardingStateStore(OrganizationStateStore store) {
    this.states = Objects.requireNonNull(store, "store");
    this.notes = (NoteStore) store;
  }

  @Override
  public Optional<OrganizationState> get(OrganizationId organization) {
    return states.get(organization);
  }

  @Override
  public OrganizationState compareAndSet(long expectedVersion, OrganizationState next) {
    return states.compareAndSet(expectedVersion, next);
  }

  @Override
  public List<OrganizationId> organizations() {
    return states.organizations();
  }

  @Override
  public Optional<Note> get(OrganizationId organization, String name) {
    return notes.get(organization, name);
  }

  @Override
  public Map<String, Note> list(OrganizationId organization, String prefix) {
    return notes.list(organization, prefix);
  }

  @Override
  public Optional<Note> compareAndSet(OrganizationId organization, String name, long expectedVersion,
      Optional<String> value) {
    return notes.compareAndSet(organization, name, expectedVersion, value);
  }

  @Override
  public void close() {}
}
