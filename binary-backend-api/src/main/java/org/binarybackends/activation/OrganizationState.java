package org.binarybackends.activation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;

/**
 * Everything the platform keeps about one organization's storage, as one versioned, immutable
 * value: what a store compares and sets as a whole.
 *
 * @param organization whose state it is
 * @param version the store's version of it: 0 before it is first stored, then +1 per update
 * @param active the custom configuration serving uploads, once the organization has switched
 * @param staged a configuration being verified: the first one, or a change of the active one
 * @param retired configurations that no longer serve uploads but may hold binaries, by the
 *     instance holding their bytes, so that those binaries stay readable
 * @param retiredDownloads the download configurations of those retired configurations that had one (a CDN in
 *     front of the bucket), by the same instance: their binaries' download URLs are still signed
 *     there, never by the bucket behind the distribution's back
 * @param fallbackAllowed whether the embedding service allows uploads to go back to the default
 *     storage while the active configuration is degraded
 * @param history the most recent transitions, oldest first, at most {@value #MAX_HISTORY}
 */
public record OrganizationState(OrganizationId organization, long version, Optional<StorageConfiguration> active,
    Optional<StorageConfiguration> staged, Map<BackendInstanceId, SettingsJson> retired,
    Map<BackendInstanceId, SettingsJson> retiredDownloads, boolean fallbackAllowed, List<Transition> history) {
  /** How many transitions the state keeps; older ones are dropped (send events to a log to keep all). */
  public static final int MAX_HISTORY = 200;

  public OrganizationState {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(staged, "staged");
    retired = Collections.unmodifiableMap(new LinkedHashMap<>(retired));
    retiredDownloads = Collections.unmodifiableMap(new LinkedHashMap<>(retiredDownloads));
    if (!retired.keySet().containsAll(retiredDownloads.keySet())) {
      throw new IllegalArgumentException("a retired download configuration without its retired configuration");
    }
    history = List.copyOf(history.size() > MAX_HISTORY ? history.subList(history.size() - MAX_HISTORY, history.size())
        : history);
  }

  /** The state of an organization the store does not know yet: version 0, default storage only. */
  public static OrganizationState initial(OrganizationId organization) {
    return new OrganizationState(organization, 0, Optional.empty(), Optional.empty(), Map.of(), Map.of(), false,
        List.of());
  }

  /** Whether the organization has switched to its own storage (and so never silently goes back). */
  public boolean switched() {
    return active.isPresent();
  }

  public OrganizationState withVersion(long newVersion) {
    return new OrganizationState(organization, newVersion, active, staged, retired, retiredDownloads, fallbackAllowed, history);
  }

  public OrganizationState withActive(Optional<StorageConfiguration> newActive) {
    return new OrganizationState(organization, version, newActive, staged, retired, retiredDownloads, fallbackAllowed, history);
  }

  public OrganizationState withStaged(Optional<StorageConfiguration> newStaged) {
    return new OrganizationState(organization, version, active, newStaged, retired, retiredDownloads, fallbackAllowed, history);
  }

  /** This state with {@code backend}'s upload instance kept readable. */
  public OrganizationState withRetired(StorageConfiguration backend) {
    Map<BackendInstanceId, SettingsJson> more = new LinkedHashMap<>(retired);
    more.put(backend.uploadInstance(), backend.upload());
    Map<BackendInstanceId, SettingsJson> downloads = new LinkedHashMap<>(retiredDownloads);
    downloads.remove(backend.uploadInstance());
    backend.download().ifPresent(d -> downloads.put(backend.uploadInstance(), d));
    return new OrganizationState(organization, version, active, staged, more, downloads, fallbackAllowed, history);
  }

  /** This state without the retired instance {@code instance}. */
  public OrganizationState withoutRetired(BackendInstanceId instance) {
    Map<BackendInstanceId, SettingsJson> fewer = new LinkedHashMap<>(retired);
    fewer.remove(instance);
    Map<BackendInstanceId, SettingsJson> downloads = new LinkedHashMap<>(retiredDownloads);
    downloads.remove(instance);
    return new OrganizationState(organization, version, active, staged, fewer, downloads, fallbackAllowed, history);
  }

  public OrganizationState withFallbackAllowed(boolean allowed) {
    return new OrganizationState(organization, version, active, staged, retired, retiredDownloads, allowed, history);
  }

  /** This state without its history: what a cache of many organizations keeps. */
  public OrganizationState withoutHistory() {
    return history.isEmpty() ? this
        : new OrganizationState(organization, version, active, staged, retired, retiredDownloads, fallbackAllowed,
            List.of());
  }

  /** This state with {@code transition} appended to its history. */
  public OrganizationState with(Transition transition) {
    List<Transition> more = new ArrayList<>(history);
    more.add(transition);
    return new OrganizationState(organization, version, active, staged, retired, retiredDownloads, fallbackAllowed, more);
  }

  /** The settings of the configuration whose bytes are in {@code instance}: active, staged or retired. */
  public Optional<SettingsJson> settingsOf(BackendInstanceId instance) {
    for (Optional<StorageConfiguration> b : List.of(active, staged)) {
      if (b.isPresent() && b.get().uploadInstance().equals(instance)) {
        return Optional.of(b.get().upload());
      }
    }
    return Optional.ofNullable(retired.get(instance));
  }

  /**
   * The settings that sign download URLs of binaries held by {@code instance}: the download configuration of
   * the configuration (active, staged or retired) whose upload configuration it is, else that upload configuration.
   */
  public Optional<SettingsJson> downloadSettingsOf(BackendInstanceId instance) {
    for (Optional<StorageConfiguration> b : List.of(active, staged)) {
      if (b.isPresent() && b.get().uploadInstance().equals(instance)) {
        return Optional.of(b.get().downloadSettings());
      }
    }
    return Optional.ofNullable(retiredDownloads.get(instance)).or(() -> Optional.ofNullable(retired.get(instance)));
  }

  @Override
  public String toString() {
    return "OrganizationState{" + organization + " v" + version + ", active=" + active.orElse(null) + ", staged="
        + staged.orElse(null) + ", retired=" + retired.keySet() + ", fallbackAllowed=" + fallbackAllowed
        + ", history=" + history.size() + " transitions}";
  }
}
