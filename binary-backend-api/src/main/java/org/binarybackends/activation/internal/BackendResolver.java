package org.binarybackends.activation.internal;

import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.activation.UploadsSuspendedException;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryLocation;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import org.binarybackends.Violation;

/**
 * Answers the two questions of the activation rule.
 *
 * <ul>
 *   <li>{@link #forUpload}: where a new upload of an organization goes. Its own storage only when
 *       both parts of its active configuration are active; otherwise the default storage, with the
 *       reason. Once the organization has switched, uploads never go back to the default storage
 *       silently: while its storage is degraded they fail with {@link UploadsSuspendedException},
 *       unless the embedding service allowed fallback for it ({@link Activator#allowFallback}).
 *   <li>{@link #forBinary}: where the bytes of a stored binary are: the backend instance named in
 *       its location, whatever is active now, including a configuration replaced since (its
 *       backend is built again on demand from the stored state).
 * </ul>
 *
 * <p>Each organization's answer is computed once from its stored state and cached; {@code
 * forUpload} for an organization already resolved takes no lock and does no I/O. The cache is
 * refreshed by {@link #stateChanged} (the {@link Activator} calls it for every transition it
 * stores) and by {@link #refresh} (for changes made by another service instance; the activator
 * refreshes each organization it checks). Thread-safe.
 */
public final class BackendResolver {
  private final OrganizationStateStore store;
  private final BinaryBackend defaultBackend;
  private final BackendPool pool;
  private final ConcurrentHashMap<OrganizationId, Resolution> cache = new ConcurrentHashMap<>();
  private final ActivationMeters meters;

  /**
   * @param store where organizations' states are
   * @param defaultBackend the platform's default storage
   * @param pool builds and shares the organizations' own backends
   * @param meters told of every state read or stored here
   */
  public BackendResolver(OrganizationStateStore store, BinaryBackend defaultBackend, BackendPool pool,
      ActivationMeters meters) {
    this.store = Objects.requireNonNull(store, "store");
    this.defaultBackend = Objects.requireNonNull(defaultBackend, "defaultBackend");
    this.pool = Objects.requireNonNull(pool, "pool");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /**
   * What an organization's state says, computed once per stored version. It keeps the state without
   * its history (up to 200 transitions): a cache of 100,000 organizations holds what resolving needs.
   */
  private record Resolution(OrganizationState state, Optional<SettingsJson> custom, String reason, boolean suspended) {
    static Resolution of(OrganizationState full) {
      OrganizationState s = full.withoutHistory();
      UploadRoute route = UploadRoute.of(s);
      return new Resolution(s, route.to() == OrganizationStatus.UploadsGoTo.OWN_STORAGE
          ? Optional.of(s.active().orElseThrow().upload()) : Optional.empty(), route.reason(),
          route.to() == OrganizationStatus.UploadsGoTo.NOWHERE);
    }
  }

  /**
   * Where a new upload of {@code organization} goes, and why.
   *
   * @throws UploadsSuspendedException if it switched to its own storage, which is degraded, and
   *     fallback is not allowed
   */
  public UploadTarget forUpload(OrganizationId organization) {
    Resolution r = cache.get(organization);
    if (r == null) {
      r = refresh(organization);
    }
    if (r.suspended()) {
      throw new UploadsSuspendedException(organization, r.reason());
    }
    return r.custom().isPresent() ? new UploadTarget(pool.acquire(r.custom().get()), true, r.reason())
        : new UploadTarget(defaultBackend, false, r.reason());
  }

  /**
   * The backend holding the bytes of the binary at {@code location}: read, stat or delete it there.
   * Do not close it; do not keep it.
   *
   * @throws InvalidInputException if the location names an instance the organization never had
   */
  public BinaryBackend forBinary(BinaryLocation location) {
    if (location.instance().equals(defaultBackend.instanceId())) {
      return defaultBackend;
    }
    return pool.acquire(settingsOf(location));
  }

  /**
   * A download URL for the binary at {@code location}, signed by the download configuration of the
   * configuration that holds it (a CDN in front of the bucket, say), or by the backend holding it.
   */
  public SignedUrl signDownloadUrl(BinaryLocation location, Duration ttl) {
    if (location.instance().equals(defaultBackend.instanceId())) {
      return defaultBackend.signDownloadUrl(location.organization(), location.key(), ttl);
    }
    Optional<SettingsJson> signer = resolution(location.organization()).state().downloadSettingsOf(location.instance());
    BinaryBackend backend = pool.acquire(signer.isPresent() ? signer.get() : settingsOf(location));
    return backend.signDownloadUrl(location.organization(), location.key(), ttl);
  }

  private SettingsJson settingsOf(BinaryLocation location) {
    return settingsOf(location.organization(), location.instance(), "location.instance");
  }

  private SettingsJson settingsOf(OrganizationId organization, BackendInstanceId instance, String field) {
    Resolution r = resolution(organization);
    Optional<SettingsJson> settings = r.state().settingsOf(instance);
    if (settings.isEmpty()) {
      r = refresh(organization); // another instance may have changed it
      settings = r.state().settingsOf(instance);
    }
    return settings.orElseThrow(() -> new InvalidInputException(List.of(Violation.of(field,
        instance.toString(), "the default storage or an instance of one of organization "
            + organization + "'s configurations (active, staged or retired)"))));
  }

  /**
   * The backend of {@code instance} for {@code organization}: the default storage, or one of its
   * configurations' (active, staged or retired).
   *
   * @throws InvalidInputException naming {@code field} if it is neither
   */
  public BinaryBackend backendOf(OrganizationId organization, BackendInstanceId instance, String field) {
    if (instance.equals(defaultBackend.instanceId())) {
      return defaultBackend;
    }
    return pool.acquire(settingsOf(organization, instance, field));
  }

  private Resolution resolution(OrganizationId organization) {
    Resolution r = cache.get(organization);
    return r != null ? r : refresh(organization);
  }

  /** Reads the organization's state from the store again (for changes made by another instance). */
  Resolution refresh(OrganizationId organization) {
    OrganizationState state = store.get(organization).orElseGet(() -> OrganizationState.initial(organization));
    return update(state);
  }

  /**
   * Takes a newly stored state into account, unless a newer one is known already; retires the
   * backend of a configuration that is no longer the active one (a degraded one is kept: it still
   * serves reads and downloads of what it holds).
   */
  public void stateChanged(OrganizationState state) {
    update(state);
  }

  private Resolution update(OrganizationState state) {
    Resolution fresh = Resolution.of(state);
    Resolution[] replaced = new Resolution[1];
    Resolution kept = cache.merge(state.organization(), fresh, (old, neu) -> {
      if (neu.state().version() > old.state().version()) {
        replaced[0] = old;
        return neu;
      }
      return old;
    });
    Resolution old = replaced[0];
    meters.observe(kept.state());
    // retire a backend only when its configuration stopped being the active one (replaced, removed):
    // a degraded one no longer takes uploads, but its reads and downloads go on through the same
    // backend, whose cached session may still work where a rebuilt one's role chain would fail
    if (old != null && old.custom().isPresent()
        && !kept.state().active().map(StorageConfiguration::upload).equals(old.custom())) {
      pool.retire(old.custom().get());
    }
    return kept;
  }

  /**
   * Another instance stored a change of {@code organization}: read it again, cached or not (a read
   * in flight that saw the older version does not replace the newer one: versions only go up).
   */
  public void changedElsewhere(OrganizationId organization) {
    refresh(organization);
  }

  /** Changes may have been missed: reads every cached organization again. */
  public void refreshAll() {
    for (OrganizationId organization : List.copyOf(cache.keySet())) {
      refresh(organization);
    }
  }

  /** How many organizations are resolved and cached. */
  public int cachedOrganizations() {
    return cache.size();
  }
}
