package org.binarybackends.activation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;

/**
 * What an admin page shows of one organization: where its uploads go and why, its active, staged
 * and retired configurations, each configuration's upload and download configuration with its state, last
 * check and reason, and when it is checked next. Immutable; a snapshot of the stored state. It holds
 * no settings, so no secret: {@link #toJson()} is safe to hand to a browser.
 *
 * @param organization the organization
 * @param version the version of the stored state it was read from (0: never stored)
 * @param uploadsGoTo where a new upload goes now
 * @param uploadsReason why, in words a person can act on
 * @param fallbackAllowed whether uploads may go to the default storage while its own is degraded
 * @param active the configuration that serves (or served, if degraded) its uploads
 * @param staged a configuration registered and not yet fully active
 * @param retired replaced or removed configurations still holding binaries, readable there
 * @param nextCheck when this service instance checks it next, if scheduled
 * @param history the most recent transitions (who changed what and why), oldest first: the audit
 *     trail an admin page shows; the state keeps the last {@value OrganizationState#MAX_HISTORY}
 */
public record OrganizationStatus(OrganizationId organization, long version, UploadsGoTo uploadsGoTo, String uploadsReason,
    boolean fallbackAllowed, Optional<Configuration> active, Optional<Configuration> staged, List<Retired> retired,
    Optional<Instant> nextCheck, List<Transition> history) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public OrganizationStatus {
    Objects.requireNonNull(organization, "organization");
    Objects.requireNonNull(uploadsGoTo, "uploadsGoTo");
    Objects.requireNonNull(uploadsReason, "uploadsReason");
    Objects.requireNonNull(active, "active");
    Objects.requireNonNull(staged, "staged");
    retired = List.copyOf(retired);
    Objects.requireNonNull(nextCheck, "nextCheck");
    history = List.copyOf(history);
  }

  /** Where new uploads of an organization go. */
  public enum UploadsGoTo {
    /** The platform's default storage: nothing of its own is fully active (or fallback is allowed). */
    DEFAULT_STORAGE,
    /** Its own storage, fully active. */
    OWN_STORAGE,
    /** Nowhere: it switched to its own storage, which is degraded, and fallback is not allowed. */
    NOWHERE
  }

  /**
   * One configuration of the organization's own storage.
   *
   * @param id the configuration's id
   * @param storage the instance holding its binaries
   * @param uploadType the type of its upload configuration's backend
   * @param downloadType the type of its separate download configuration's backend (a CDN), if any
   * @param registeredAt when it was registered
   * @param upload the state of the upload configuration (where bytes are stored)
   * @param download the state of the download configuration (what signs download URLs)
   */
  public record Configuration(String id, BackendInstanceId storage, String uploadType, Optional<String> downloadType,
      Instant registeredAt, Part upload, Part download) {
    public Configuration {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(storage, "storage");
      Objects.requireNonNull(uploadType, "uploadType");
      Objects.requireNonNull(downloadType, "downloadType");
      Objects.requireNonNull(registeredAt, "registeredAt");
      Objects.requireNonNull(upload, "upload");
      Objects.requireNonNull(download, "download");
    }

    static Configuration of(StorageConfiguration c) {
      return new Configuration(c.id(), c.uploadInstance(), c.upload().type(), c.download().map(SettingsJson::type),
          c.registeredAt(), Part.of(c.uploadState()), Part.of(c.downloadState()));
    }
  }

  /**
   * The state of one part of a configuration.
   *
   * @param state pending, active or degraded
   * @param lastCheck the last verification, if one ran: when, whether it passed, whether its failure
   *     was retryable, and what it found
   * @param reason why it is in this state: the last check's finding, or that none ran yet
   * @param definiteFailures consecutive failures that were not retryable
   * @param passes consecutive passes
   */
  public record Part(PartStatus state, Optional<CheckOutcome> lastCheck, String reason, int definiteFailures,
      int passes) {
    public Part {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(lastCheck, "lastCheck");
      Objects.requireNonNull(reason, "reason");
    }

    static Part of(PartState p) {
      return new Part(p.status(), p.lastCheck(), p.reason(), p.definiteFailures(), p.passes());
    }
  }

  /**
   * A configuration that left, kept so that its binaries stay readable.
   *
   * @param storage the instance holding its binaries
   * @param type the type of its backend
   * @param downloadType the type of its download configuration's backend, if it had a separate one,
   *     which still signs its binaries' downloads
   */
  public record Retired(BackendInstanceId storage, String type, Optional<String> downloadType) {
    public Retired {
      Objects.requireNonNull(storage, "storage");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(downloadType, "downloadType");
    }
  }

  /**
   * The status of a stored state (as a tool reading a store shows it); {@code nextCheck} is when a
   * service instance checks it next, if one says.
   */
  public static OrganizationStatus of(OrganizationState s, Optional<Instant> nextCheck) {
    org.binarybackends.activation.internal.UploadRoute route = org.binarybackends.activation.internal.UploadRoute.of(s);
    List<Retired> retired = new ArrayList<>();
    for (Map.Entry<BackendInstanceId, SettingsJson> r : s.retired().entrySet()) {
      retired.add(new Retired(r.getKey(), r.getValue().type(),
          Optional.ofNullable(s.retiredDownloads().get(r.getKey())).map(SettingsJson::type)));
    }
    return new OrganizationStatus(s.organization(), s.version(), route.to(), route.reason(), s.fallbackAllowed(),
        s.active().map(Configuration::of), s.staged().map(Configuration::of), retired, nextCheck, s.history());
  }

  /**
   * This status as a JSON object, for an admin page: times in ISO-8601, states by name, absent
   * values left out. It holds no settings and no secret.
   */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("organization", organization.value()).put("version", version).put("uploadsGoTo", uploadsGoTo.name())
        .put("uploadsReason", uploadsReason).put("fallbackAllowed", fallbackAllowed);
    active.ifPresent(c -> o.set("active", json(c)));
    staged.ifPresent(c -> o.set("staged", json(c)));
    ArrayNode r = o.putArray("retired");
    for (Retired x : retired) {
      ObjectNode n = r.addObject().put("storage", x.storage().toString()).put("type", x.type());
      x.downloadType().ifPresent(t -> n.put("downloadType", t));
    }
    nextCheck.ifPresent(t -> o.put("nextCheck", t.toString()));
    ArrayNode h = o.putArray("history");
    for (Transition t : history) {
      h.addObject().put("at", t.at().toString()).put("actor", t.actor()).put("change", t.change())
          .put("reason", t.reason());
    }
    return o.toString();
  }

  private static ObjectNode json(Configuration c) {
    ObjectNode o = JSON.createObjectNode().put("id", c.id()).put("storage", c.storage().toString())
        .put("uploadType", c.uploadType());
    c.downloadType().ifPresent(t -> o.put("downloadType", t));
    o.put("registeredAt", c.registeredAt().toString());
    o.set("upload", json(c.upload()));
    o.set("download", json(c.download()));
    return o;
  }

  private static ObjectNode json(Part p) {
    ObjectNode o = JSON.createObjectNode().put("state", p.state().name()).put("reason", p.reason())
        .put("definiteFailures", p.definiteFailures()).put("passes", p.passes());
    // the part's reason is its last check's: said once
    p.lastCheck().ifPresent(c -> o.putObject("lastCheck").put("at", c.at().toString()).put("passed", c.passed())
        .put("retryable", c.retryable()));
    return o;
  }
}
