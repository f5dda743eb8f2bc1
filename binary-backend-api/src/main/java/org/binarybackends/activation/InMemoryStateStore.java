package org.binarybackends.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.OrganizationId;

/** Organization states in this process's memory: for tests and single-instance services. Thread-safe. */
public final class InMemoryStateStore implements OrganizationStateStore {
  private final ConcurrentHashMap<OrganizationId, OrganizationState> states = new ConcurrentHashMap<>();

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
  public void close() {}
}
