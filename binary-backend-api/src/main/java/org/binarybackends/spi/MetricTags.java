package org.binarybackends.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tags of a meter: a few keys, each with one of a few values (a backend type, an outcome, a key
 * algorithm). Immutable, sorted by key.
 *
 * <p>Keys that would carry an organization or an object key are refused ({@link #FORBIDDEN_KEYS}):
 * a meter per organization is a time series per organization, which breaks a metrics backend at a
 * platform's scale and, in a shared one, tells every reader who the platform's customers are. The
 * values are not inspected (a value cannot be told from an id); the library's own are enumerations.
 */
public final class MetricTags {
  /** Keys no meter may have. */
  public static final Set<String> FORBIDDEN_KEYS = Set.of("organization", "organization.id", "org", "org.id", "tenant",
      "customer", "key", "object.key", "binary.key", "location", "bucket", "url");
  private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");
  private static final Pattern VALUE = Pattern.compile("[\\x21-\\x7e]{1,64}");
  private static final MetricTags EMPTY = new MetricTags(Map.of());

  private final Map<String, String> tags;

  private MetricTags(Map<String, String> tags) {
    this.tags = tags;
  }

  /** No tags. */
  public static MetricTags empty() {
    return EMPTY;
  }

  /**
   * Tags from alternating keys and values: {@code of("backend.type", "s3", "outcome", "success")}.
   *
   * @throws IllegalArgumentException for an odd count, a key not of dotted lower-case words (at most
   *     64 characters) or one of {@link #FORBIDDEN_KEYS}, a value not of 1 to 64 printable ASCII
   *     characters, or a key given twice: a programming error, found by the first test
   */
  public static MetricTags of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("metric tags: keys and values alternate; " + keysAndValues.length
          + " strings given");
    }
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String key = keysAndValues[i];
      String value = keysAndValues[i + 1];
      check(key, value);
      if (m.put(key, value) != null) {
        throw new IllegalArgumentException("metric tag '" + key + "' given twice");
      }
    }
    return m.isEmpty() ? EMPTY : new MetricTags(Collections.unmodifiableMap(m));
  }

  /** These tags and one more. */
  public MetricTags and(String key, String value) {
    check(key, value);
    if (tags.containsKey(key)) {
      throw new IllegalArgumentException("metric tag '" + key + "' given twice");
    }
    TreeMap<String, String> m = new TreeMap<>(tags);
    m.put(key, value);
    return new MetricTags(Collections.unmodifiableMap(m));
  }

  private static void check(String key, String value) {
    if (key == null || key.length() > 64 || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("metric tag key '" + key + "': dotted lower-case words, at most 64 characters");
    }
    if (FORBIDDEN_KEYS.contains(key)) {
      throw new IllegalArgumentException("metric tag key '" + key + "' is not allowed: tags are of low cardinality"
          + " only, never an organization or a key (find one organization's trouble in the MDC of the logs)");
    }
    if (value == null || !VALUE.matcher(value).matches()) {
      // the value is not echoed: it might be the very id this refuses
      throw new IllegalArgumentException("metric tag '" + key + "': the value must be 1 to 64 printable ASCII"
          + " characters without spaces");
    }
  }

  /** The tags, sorted by key. */
  public Map<String, String> asMap() {
    return tags;
  }

  /** {@code [key, value, key, value, ...]}, sorted by key. */
  public List<String> keysAndValues() {
    List<String> out = new ArrayList<>(tags.size() * 2);
    tags.forEach((k, v) -> {
      out.add(k);
      out.add(v);
    });
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricTags && ((MetricTags) o).tags.equals(tags);
  }

  @Override
  public int hashCode() {
    return tags.hashCode();
  }

  @Override
  public String toString() {
    return tags.toString();
  }
}
