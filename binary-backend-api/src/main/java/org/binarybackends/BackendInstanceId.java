package org.binarybackends;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Names one backend instance: the configuration that holds some bytes, not just its type. For S3
 * that is the bucket, region and prefix; for the default storage, the type alone. A binary's
 * {@link BinaryLocation} records it, so that bytes stay findable after an organization's
 * configuration changes. Two settings with the same instance id reach the same bytes.
 *
 * <p>The attributes are what identifies the bytes, never a secret. Immutable; compared by value.
 */
public final class BackendInstanceId {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern ATTRIBUTE = Pattern.compile("[a-zA-Z][a-zA-Z0-9]{0,31}");

  private final String type;
  private final Map<String, String> attributes;

  private BackendInstanceId(String type, Map<String, String> attributes) {
    this.type = type;
    this.attributes = attributes;
  }

  /**
   * The instance of backend {@code type} identified by {@code attributes}.
   *
   * @throws InvalidInputException if the type is not lower-case {@code [a-z][a-z0-9-]*} of at most
   *     32 characters, or an attribute name is not alphanumeric
   */
  @JsonCreator
  public static BackendInstanceId of(@JsonProperty("type") String type,
      @JsonProperty("attributes") Map<String, String> attributes) {
    checkType("type", type);
    TreeMap<String, String> sorted = new TreeMap<>();
    if (attributes != null) {
      attributes.forEach((name, value) -> {
        if (name == null || !ATTRIBUTE.matcher(name).matches()) {
          throw InvalidInputException.of("attributes", name, "attribute names of 1 to 32 letters and digits, starting with a letter");
        }
        sorted.put(name, Objects.requireNonNull(value, "value of attribute " + name));
      });
    }
    return new BackendInstanceId(type, Collections.unmodifiableMap(sorted));
  }

  /** The instance of backend {@code type} that has no distinguishing attributes. */
  public static BackendInstanceId of(String type) {
    return of(type, Map.of());
  }

  /**
   * Checks a backend type: stable, lower-case, {@code [a-z][a-z0-9-]*}, 1 to 32 characters.
   *
   * @throws InvalidInputException naming {@code field} if it is not
   */
  public static String checkType(String field, String type) {
    if (type == null || !TYPE.matcher(type).matches()) {
      throw InvalidInputException.of(field, type, "a lower-case backend type: [a-z][a-z0-9-]*, 1 to 32 characters");
    }
    return type;
  }

  @JsonProperty("type")
  public String type() {
    return type;
  }

  /** The identifying attributes, sorted by name; unmodifiable. */
  @JsonProperty("attributes")
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackendInstanceId && ((BackendInstanceId) o).type.equals(type)
        && ((BackendInstanceId) o).attributes.equals(attributes);
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + attributes.hashCode();
  }

  /** {@code type} or {@code type{name=value, ...}}, attributes sorted by name. */
  @Override
  public String toString() {
    return attributes.isEmpty() ? type : type + attributes;
  }
}
