package org.binarybackends.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Secret;
import org.binarybackends.Violation;

/**
 * Reads one JSON object of settings field by field, and collects every problem instead of stopping
 * at the first: a missing field, a wrong type, a bad value, a field nobody reads (usually a typo).
 * {@link #finish(Supplier)} then throws them all at once, as one
 * {@link InvalidConfigurationException} whose violations name each field by its path.
 *
 * <p>Jackson parses the JSON, but its own binding would stop at the first mistake and say it in
 * Java terms; this reader speaks in the settings' terms. Not thread-safe; use it once.
 */
public final class SettingsReader {

  private final JsonNode node;
  private final String path;
  private final List<Violation> violations;
  private final Set<String> read = new LinkedHashSet<>();
  private final List<SettingsReader> children = new ArrayList<>();

  private SettingsReader(JsonNode node, String path, List<Violation> violations) {
    this.node = node;
    this.path = path;
    this.violations = violations;
  }

  /**
   * A reader of the JSON object {@code json}.
   *
   * @throws InvalidConfigurationException if it is not well-formed JSON or not an object
   */
  public static SettingsReader parse(String json) {
    if (json == null) {
      throw new InvalidConfigurationException(List.of(Violation.missing("settings", "a JSON object")));
    }
    // Jackson's message may quote the input, which may hold a secret: StrictJson says what without it.
    JsonNode node = org.binarybackends.internal.StrictJson.readSettings(json, null);
    if (node == null || !node.isObject()) {
      throw new InvalidConfigurationException(List.of(new Violation("settings", null,
          "a JSON object {...}; found " + (node == null ? "nothing" : describe(node)))));
    }
    return new SettingsReader(node, "", new ArrayList<>());
  }

  private String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  private JsonNode take(String name) {
    read.add(name);
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value;
  }

  /** Records a violation of {@code name} found by the caller's own checks. */
  public void violation(String name, String value, String allowed) {
    violations.add(Violation.of(field(name), value, allowed));
  }

  /**
   * Records violations found by a settings type's own validation, whose fields are named relative to
   * this object (they are prefixed with its path, e.g. {@code signingKeys[1].}); values are kept as
   * the validation showed them, so a secret stays {@code ***}.
   */
  public void violations(List<Violation> relative) {
    relative.forEach(v -> violations.add(new Violation(field(v.field()), v.shownValue(), v.allowed())));
  }

  /** Whether the field is present and not null (does not count as reading it). */
  public boolean has(String name) {
    JsonNode value = node.get(name);
    return value != null && !value.isNull();
  }

  /** A required string; records a violation and returns {@code null} when missing or not a string. */
  public String requiredString(String name, String allowed) {
    JsonNode value = take(name);
    if (value == null) {
      violations.add(Violation.missing(field(name), allowed));
      return null;
    }
    return asString(name, value, allowed);
  }

  /** An optional string, {@code null} when absent. */
  public String optionalString(String name, String allowed) {
    JsonNode value = take(name);
    return value == null ? null : asString(name, value, allowed);
  }

  private String asString(String name, JsonNode value, String allowed) {
    if (!value.isTextual()) {
      violations.add(new Violation(field(name), shown(value), allowed + "; found " + describe(value)));
      return null;
    }
    return value.asText();
  }

  /** An optional whole number in {@code [min, max]}; {@code fallback} when absent or invalid. */
  public long optionalLong(String name, long min, long max, long fallback, String allowed) {
    JsonNode value = take(name);
    if (value == null) {
      return fallback;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
      violations.add(new Violation(field(name), shown(value), allowed + " (" + min + " to " + max + ")"));
      return fallback;
    }
    return value.asLong();
  }

  /** An optional boolean; {@code fallback} when absent or not a boolean (recorded as a violation). */
  public boolean optionalBoolean(String name, boolean fallback) {
    JsonNode value = take(name);
    if (value == null) {
      return fallback;
    }
    if (!value.isBoolean()) {
      violations.add(new Violation(field(name), shown(value), "true or false"));
      return fallback;
    }
    return value.asBoolean();
  }

  /**
   * An optional secret given as text (a PEM key, a passphrase), {@code null} when absent. Its value
   * never appears in a violation, even when it has the wrong type.
   */
  public Secret optionalSecret(String name, String allowed) {
    JsonNode value = take(name);
    if (value == null) {
      return null;
    }
    if (!value.isTextual() || value.asText().isEmpty() || value.asText().equals(Secret.REDACTED)) {
      violations.add(Violation.ofSecret(field(name), allowed + (value.isTextual() ? "" : "; found " + describe(value))));
      return null;
    }
    return Secret.of(value.asText());
  }

  /**
   * A required secret given as base64. Its value never appears in a violation, even when it is
   * malformed.
   */
  public Secret requiredSecretBase64(String name, String allowed) {
    JsonNode value = take(name);
    if (value == null) {
      violations.add(Violation.missing(field(name), allowed));
      return null;
    }
    if (!value.isTextual()) {
      violations.add(Violation.ofSecret(field(name), allowed + "; found " + describe(value)));
      return null;
    }
    try {
      return Secret.ofBase64(field(name), value.asText());
    } catch (InvalidInputException e) {
      violations.add(Violation.ofSecret(field(name), allowed));
      return null;
    }
  }

  /**
   * A required JSON object, read by a reader of its own whose violations are named
   * {@code name.field}: hand it to the nested settings' own {@code read}, whose {@link #finish}
   * then reports its unread fields too. {@code null} (and a violation) when missing or not an object.
   */
  public SettingsReader requiredObject(String name, String allowed) {
    JsonNode value = take(name);
    if (value == null) {
      violations.add(Violation.missing(field(name), allowed));
      return null;
    }
    if (!value.isObject()) {
      violations.add(new Violation(field(name), describe(value), allowed));
      return null;
    }
    return new SettingsReader(value, field(name), violations);
  }

  /**
   * A required array of JSON objects, each read by a reader of its own whose violations are named
   * {@code name[i].field}.
   */
  public List<SettingsReader> requiredObjects(String name, String allowed) {
    JsonNode value = take(name);
    List<SettingsReader> out = new ArrayList<>();
    if (value == null) {
      violations.add(Violation.missing(field(name), allowed));
      return out;
    }
    if (!value.isArray()) {
      violations.add(new Violation(field(name), value.getNodeType().toString().toLowerCase(), allowed));
      return out;
    }
    for (int i = 0; i < value.size(); i++) {
      JsonNode element = value.get(i);
      String elementPath = field(name) + "[" + i + "]";
      if (!element.isObject()) {
        violations.add(new Violation(elementPath, describe(element), "a JSON object {...}"));
        continue;
      }
      SettingsReader child = new SettingsReader(element, elementPath, violations);
      children.add(child);
      out.add(child);
    }
    return out;
  }

  /**
   * Ends reading: records every field that was present but not read, runs {@code build} (the
   * settings' own builder, which validates the values), and throws every violation found so far and
   * by the builder as one exception. A builder's violation of a field that already has one (or whose
   * elements have one) is dropped, so a mistake is not reported twice.
   *
   * @throws InvalidConfigurationException listing every violation
   */
  public <T> T finish(Supplier<T> build) {
    collectUnread();
    T result = null;
    try {
      result = build.get();
    } catch (InvalidInputException e) {
      // "signingKeys[1].secret" already explains a builder's "signingKeys": keep the precise one
      Set<String> reported = new TreeSet<>();
      violations.forEach(v -> {
        reported.add(v.field());
        reported.add(v.field().split("[.\\[]", 2)[0]);
      });
      e.violations().stream().map(v -> new Violation(field(v.field()), v.shownValue(), v.allowed()))
          .filter(v -> !reported.contains(v.field())).forEach(violations::add);
      if (violations.isEmpty()) {
        throw e;
      }
    } catch (RuntimeException e) {
      if (violations.isEmpty()) {
        throw e;
      }
      // a builder fed the nulls of missing fields may fail in any way; the violations say why
    }
    if (!violations.isEmpty()) {
      throw new InvalidConfigurationException(violations);
    }
    return result;
  }

  /**
   * Throws the violations recorded so far, if any, without judging the fields not read yet: for a
   * reader that cannot go on (the type of the settings is missing, so nobody knows their fields).
   *
   * @throws InvalidConfigurationException listing the violations so far
   */
  public void throwIfInvalid() {
    if (!violations.isEmpty()) {
      throw new InvalidConfigurationException(violations);
    }
  }

  private void collectUnread() {
    node.fieldNames().forEachRemaining(name -> {
      if (!read.contains(name)) {
        violations.add(new Violation(cut(field(name)), "(not shown: it may be a misspelt secret)", "only the known settings " + read
            + (path.isEmpty() ? "" : " here") + "; this one is not read (a typo?)"));
      }
    });
    children.forEach(SettingsReader::collectUnread);
  }

  /** A field name as shown: an unknown one comes from the input and may be of any length. */
  private static String cut(String name) {
    return name.length() <= 120 ? name : name.substring(0, 120) + "... (" + name.length() + " characters)";
  }

  /** Marks {@code name} as read without reading it (a field the caller has handled itself). */
  public void skip(String name) {
    read.add(name);
  }

  /** A value as quoted in a message: cut, so that a megabyte-long value is not a megabyte-long message. */
  private static String shown(JsonNode value) {
    return value.isContainerNode() ? describe(value) : org.binarybackends.internal.Display.quote(value.isTextual()
        ? value.asText() : value.toString());
  }

  private static String describe(JsonNode node) {
    JsonNodeType t = node.getNodeType();
    return t == JsonNodeType.OBJECT ? "an object" : t == JsonNodeType.ARRAY ? "an array" : "a " + t.toString().toLowerCase();
  }
}
