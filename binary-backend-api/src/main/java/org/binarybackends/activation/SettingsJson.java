package org.binarybackends.activation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Objects;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Violation;

/**
 * The settings of one backend as a JSON object naming its {@code type}, kept as text so that a state
 * store need not know any backend's settings class. The text holds secrets (keys), so it is treated
 * as one: {@link #toString()} shows the type only, and stores keep it encrypted. Immutable.
 */
public final class SettingsJson {

  private final String json;
  private final String type;

  private SettingsJson(String json, String type) {
    this.json = json;
    this.type = type;
  }

  /**
   * The settings {@code json}, which must be a JSON object with a string {@code type}; the values
   * are checked by the provider of that type when a backend is built (or by {@link
   * org.binarybackends.BinaryBackendRegistry#readSettings(String)}).
   *
   * @throws InvalidConfigurationException if it is not a JSON object with a type; the message never
   *     quotes the text
   */
  public static SettingsJson of(String json) {
    JsonNode node = json == null ? null
        : org.binarybackends.internal.StrictJson.readSettings(json, "(not shown: it may hold secrets)");
    if (node == null || !node.isObject() || !node.path("type").isTextual()) {
      throw new InvalidConfigurationException(List.of(new Violation("settings", "(not shown: it may hold secrets)",
          "a JSON object with a string \"type\", e.g. {\"type\":\"s3\", ...}")));
    }
    return new SettingsJson(json, node.get("type").asText());
  }

  /** The backend type it names. */
  public String type() {
    return type;
  }

  /** The JSON text, secrets included: hand it to a registry or a store's encryption, never to a log. */
  public String reveal() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SettingsJson && ((SettingsJson) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return Objects.hash(json);
  }

  @Override
  public String toString() {
    return "SettingsJson{type=" + type + ", ***}";
  }
}
