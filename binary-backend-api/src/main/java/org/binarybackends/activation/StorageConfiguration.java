package org.binarybackends.activation;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;

/**
 * One configuration of an organization's own storage, as registered, and the state of each of its
 * two halves (in the guide's words): the <em>upload configuration</em>, the backend that stores the
 * bytes, and the <em>download configuration</em>, which signs download URLs (a CloudFront
 * distribution in front of the bucket, say), or is the upload backend itself when none is given. A
 * configuration, not a backend: its backends are built from it by the pool.
 *
 * @param id a unique id of this configuration (a change gets a new one)
 * @param upload the settings of the upload backend
 * @param uploadInstance the instance the upload settings address: where the bytes will be
 * @param download the settings of a separate download backend, if any
 * @param uploadState the upload configuration's state
 * @param downloadState the download configuration's state
 * @param registeredAt when it was registered
 */
public record StorageConfiguration(String id, SettingsJson upload, BackendInstanceId uploadInstance,
    Optional<SettingsJson> download, PartState uploadState, PartState downloadState, Instant registeredAt) {
  public StorageConfiguration {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(upload, "upload");
    Objects.requireNonNull(uploadInstance, "uploadInstance");
    Objects.requireNonNull(download, "download");
    Objects.requireNonNull(uploadState, "uploadState");
    Objects.requireNonNull(downloadState, "downloadState");
    Objects.requireNonNull(registeredAt, "registeredAt");
  }

  /** Whether both parts are active: the only condition under which it serves uploads. */
  public boolean fullyActive() {
    return uploadState.status() == PartStatus.ACTIVE && downloadState.status() == PartStatus.ACTIVE;
  }

  /** Whether a part is degraded. */
  public boolean degraded() {
    return uploadState.status() == PartStatus.DEGRADED || downloadState.status() == PartStatus.DEGRADED;
  }

  /** The settings that sign downloads: the download configuration's, else the upload backend's. */
  public SettingsJson downloadSettings() {
    return download.orElse(upload);
  }

  /** This configuration with its parts in these states (the activation rule moves them). */
  public StorageConfiguration withStates(PartState upload, PartState download) {
    return new StorageConfiguration(id, this.upload, uploadInstance, this.download, upload, download, registeredAt);
  }

  /** Why it does not serve uploads (or "fully active"), part by part. */
  public String why() {
    if (fullyActive()) {
      return "fully active";
    }
    StringBuilder sb = new StringBuilder();
    if (uploadState.status() != PartStatus.ACTIVE) {
      sb.append("upload configuration ").append(uploadState.status().name().toLowerCase()).append(": ").append(uploadState.reason());
    }
    if (downloadState.status() != PartStatus.ACTIVE) {
      sb.append(sb.length() == 0 ? "" : "; ").append("download configuration ").append(downloadState.status().name().toLowerCase())
          .append(": ");
      // one backend serving both parts has one diagnosis: say it once (it may be a thousand characters)
      boolean same = download.isEmpty() && uploadState.status() == downloadState.status()
          && uploadState.reason().equals(downloadState.reason());
      sb.append(same ? "the same (one backend serves both)" : downloadState.reason());
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "StorageConfiguration{" + id + ", " + uploadInstance + ", upload " + uploadState.status() + ", download "
        + downloadState.status() + "}";
  }
}
