package org.binarybackends.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON readers of the library, bounded and strict, since organization settings are untrusted
 * input and state files may be damaged: a field given twice is refused (Jackson otherwise keeps
 * the last one silently, so {@code "type":"s3"} followed by {@code "type":"default"} would read as
 * {@code default}), and documents, strings and nesting are capped by Jackson's own {@link
 * StreamReadConstraints} so that no document can exhaust memory.
 */
public final class StrictJson {
  /** The longest settings document read: far above five PEM keys and every field. */
  public static final int MAX_SETTINGS_CHARS = 256 * 1024;
  /** The longest state document read: settings, history and notes of one organization. */
  public static final int MAX_STATE_BYTES = 16 << 20;

  private static final ObjectMapper SETTINGS = mapper(MAX_SETTINGS_CHARS, 32);
  private static final ObjectMapper STATE = mapper(MAX_STATE_BYTES, 64);

  private StrictJson() {}

  /** Reads and writes state documents: at most {@value #MAX_STATE_BYTES} bytes, no duplicate fields. */
  public static ObjectMapper state() {
    return STATE;
  }

  private static ObjectMapper mapper(int maxDocument, int maxDepth) {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxDocumentLength(maxDocument)
            .maxStringLength(maxDocument)
            .maxNestingDepth(maxDepth)
            .maxNumberLength(100)
            .build())
        .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    return new ObjectMapper(factory);
  }

  /**
   * Reads a settings document, refusing one over {@value #MAX_SETTINGS_CHARS} characters before it
   * is parsed, one that does not parse, and one with a field given twice.
   *
   * @param shownValue how the document is shown in the violation of a parse error ({@code null}:
   *     not at all); the document itself never is, as it may hold secrets
   * @return the tree, or {@code null} for an empty document
   * @throws org.binarybackends.InvalidConfigurationException naming the limit or the problem
   */
  public static com.fasterxml.jackson.databind.JsonNode readSettings(String json, String shownValue) {
    if (json.length() > MAX_SETTINGS_CHARS) {
      throw new org.binarybackends.InvalidConfigurationException(java.util.List.of(new org.binarybackends.Violation(
          "settings", "(" + json.length() + " characters)", "a document of at most " + MAX_SETTINGS_CHARS
              + " characters")));
    }
    try {
      return SETTINGS.readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new org.binarybackends.InvalidConfigurationException(java.util.List.of(new org.binarybackends.Violation(
          "settings", shownValue, problem(e))));
    }
  }

  /**
   * What went wrong parsing, in words that never quote the document (it may hold secrets): the
   * field given twice, the limit passed, or the position of the syntax error.
   */
  public static String problem(com.fasterxml.jackson.core.JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (original.startsWith("Duplicate field")) {
      int open = original.indexOf('\'');
      int close = original.lastIndexOf('\'');
      String name = open >= 0 && close > open ? original.substring(open + 1, close) : "?";
      return "each field at most once; " + Display.quote(name) + " is given twice" + where(e);
    }
    if (e instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
      return "a document within the reader's limits; " + original.replaceAll(", from `[^`]*`", "").trim();
    }
    return "well-formed JSON; parsing failed" + where(e);
  }

  private static String where(com.fasterxml.jackson.core.JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr() + ")";
  }
}
