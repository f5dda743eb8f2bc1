package org.binarybackends.activation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;

/**
 * An organization's state as a document a store keeps: JSON, with {@code format} and {@code
 * formatVersion}, the settings sealed by a {@link SettingsSealer} (everything else, states, reasons
 * and history, in clear for an operator). Read strictly: a field given twice, a document of a newer
 * format, of another organization, or settings that do not open are a {@link CorruptStateException},
 * never an empty state. Part of the store SPI: the file store keeps one document per file, a database
 * store one per row. Thread-safe.
 */
public final class StateCodec {
  /** What the documents say they are. */
  public static final String FORMAT = "binary-backends/organization-state";
  /** The format this version writes, and the newest it reads. */
  public static final int FORMAT_VERSION = 1;
  private static final ObjectMapper JSON = org.binarybackends.internal.StrictJson.state();

  private final SettingsSealer sealer;

  public StateCodec(SettingsSealer sealer) {
    this.sealer = Objects.requireNonNull(sealer, "sealer");
  }

  /** The sealer of the settings. */
  public SettingsSealer sealer() {
    return sealer;
  }

  /**
   * {@code state} as a compact document (UTF-8 JSON without indentation, read by {@link #decode}
   * alike), its settings sealed: for a store that writes states often (a database), where the
   * indentation of {@link #encode} costs more to write than the rest.
   */
  public byte[] encodeCompact(OrganizationState state) {
    try {
      return JSON.writeValueAsBytes(encodeTree(state));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a state always serializes", e);
    }
  }

  /** {@code state} as a document (UTF-8 JSON, indented for the person who opens the file), its settings sealed. */
  public byte[] encode(OrganizationState state) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(encodeTree(state));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a state always serializes", e);
    }
  }

  private ObjectNode encodeTree(OrganizationState s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT).put("formatVersion", FORMAT_VERSION).put("organization", s.organization().value())
        .put("version", s.version()).put("fallbackAllowed", s.fallbackAllowed());
    root.set("active", s.active().map(b -> encode(s.organization(), "active", b)).orElse(null));
    root.set("staged", s.staged().map(b -> encode(s.organization(), "staged", b)).orElse(null));
    ArrayNode retired = root.putArray("retired");
    s.retired().forEach((instance, settings) -> {
      ObjectNode r = retired.addObject();
      r.set("instance", JSON.valueToTree(instance));
      r.set("settings", sealer.seal(settings, s.organization(), "retired", instance.toString()));
      SettingsJson download = s.retiredDownloads().get(instance);
      if (download != null) {
        r.set("downloadSettings", sealer.seal(download, s.organization(), "retired-download", instance.toString()));
      }
    });
    ArrayNode history = root.putArray("history");
    for (Transition t : s.history()) {
      history.addObject().put("at", t.at().toString()).put("actor", t.actor()).put("change", t.change())
          .put("reason", t.reason());
    }
    return root;
  }

  private ObjectNode encode(OrganizationId org, String slot, StorageConfiguration b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", b.id()).put("registeredAt", b.registeredAt().toString());
    n.set("uploadInstance", JSON.valueToTree(b.uploadInstance()));
    n.set("upload", sealer.seal(b.upload(), org, slot, b.id() + "/upload"));
    n.set("download", b.download().map(d -> sealer.seal(d, org, slot, b.id() + "/download")).orElse(null));
    n.set("uploadState", encode(b.uploadState()));
    n.set("downloadState", encode(b.downloadState()));
    return n;
  }

  private static ObjectNode encode(PartState p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", p.status().name()).put("definiteFailures", p.definiteFailures()).put("passes", p.passes());
    n.set("lastCheck", p.lastCheck().map(c -> (JsonNode) JSON.createObjectNode().put("at", c.at().toString())
        .put("passed", c.passed()).put("retryable", c.retryable()).put("reason", c.reason())).orElse(null));
    return n;
  }

  /**
   * The state {@code bytes} hold, which must be {@code organization}'s.
   *
   * @throws CorruptStateException saying what is wrong, never quoting a secret
   */
  public OrganizationState decode(OrganizationId organization, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw corrupt("not a state this store wrote (truncated or damaged): "
          + org.binarybackends.internal.StrictJson.problem(e), e);
    } catch (IOException e) {
      throw corrupt(e.toString(), e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw corrupt("not an organization state file (no \"format\": \"" + FORMAT + "\")", null);
    }
    int formatVersion = root.path("formatVersion").asInt(-1);
    if (formatVersion > FORMAT_VERSION) {
      throw corrupt("written in format " + formatVersion + " by a newer version of the library; this one reads"
          + " format " + FORMAT_VERSION + ": upgrade the library (the file is left as it is)", null);
    }
    try {
      if (formatVersion != FORMAT_VERSION || !organization.value().equals(text(root, "organization"))) {
        throw new IllegalArgumentException("format " + formatVersion + " of organization " + root.path("organization"));
      }
      Map<BackendInstanceId, SettingsJson> retired = new LinkedHashMap<>();
      Map<BackendInstanceId, SettingsJson> retiredDownloads = new LinkedHashMap<>();
      for (JsonNode r : array(root, "retired")) {
        BackendInstanceId instance = JSON.treeToValue(r.get("instance"), BackendInstanceId.class);
        retired.put(instance, sealer.unseal(r.get("settings"), organization, "retired", instance.toString()));
        if (r.hasNonNull("downloadSettings")) { // absent in files written before retired parts kept it
          retiredDownloads.put(instance, sealer.unseal(r.get("downloadSettings"), organization, "retired-download",
              instance.toString()));
        }
      }
      List<Transition> history = new ArrayList<>();
      for (JsonNode t : array(root, "history")) {
        history.add(new Transition(Instant.parse(text(t, "at")), text(t, "actor"), text(t, "change"), text(t, "reason")));
      }
      // "notes" (in states written before notes had a store of their own) are the NoteStore's to read
      return new OrganizationState(organization, root.get("version").asLong(),
          backend(organization, "active", root.get("active")), backend(organization, "staged", root.get("staged")),
          retired, retiredDownloads, root.path("fallbackAllowed").asBoolean(false), history);
    } catch (CorruptStateException e) {
      throw e;
    } catch (RuntimeException | IOException e) {
      throw corrupt("its content is not a valid state: " + e.getMessage(), e);
    }
  }

  private Optional<StorageConfiguration> backend(OrganizationId org, String slot, JsonNode n) throws IOException {
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    String id = text(n, "id");
    JsonNode download = n.get("download");
    return Optional.of(new StorageConfiguration(id, sealer.unseal(n.get("upload"), org, slot, id + "/upload"),
        JSON.treeToValue(n.get("uploadInstance"), BackendInstanceId.class),
        download == null || download.isNull() ? Optional.empty()
            : Optional.of(sealer.unseal(download, org, slot, id + "/download")),
        part(n.get("uploadState")), part(n.get("downloadState")), Instant.parse(text(n, "registeredAt"))));
  }

  private static PartState part(JsonNode n) {
    JsonNode c = n.get("lastCheck");
    Optional<CheckOutcome> last = c == null || c.isNull() ? Optional.empty() : Optional.of(new CheckOutcome(
        Instant.parse(text(c, "at")), c.get("passed").asBoolean(), c.get("retryable").asBoolean(), text(c, "reason")));
    return new PartState(PartStatus.valueOf(text(n, "status")), last, n.get("definiteFailures").asInt(),
        n.get("passes").asInt());
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing text field \"" + field + "\"");
    }
    return v.asText();
  }

  private static Iterable<JsonNode> array(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("missing array \"" + field + "\"");
    }
    return v;
  }

  private static CorruptStateException corrupt(String what, Throwable cause) {
    return new CorruptStateException(what, cause);
  }
}
