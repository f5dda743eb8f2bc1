package org.binarybackends.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import org.binarybackends.InvalidInputException;
import org.binarybackends.StoredBinary;

/** Data on stdout, as text for people or JSON for scripts ({@code -o json}): one object per line. */
final class Output {
  enum Format { text, json }

  static final ObjectMapper JSON = new ObjectMapper();

  final Format format;
  private final PrintStream out;

  Output(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  boolean json() {
    return format == Format.json;
  }

  void line(String text) {
    out.println(text);
  }

  void json(Object node) {
    try {
      out.println(JSON.writeValueAsString(node));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a tree of JSON nodes always writes", e);
    }
  }

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  static ObjectNode stored(StoredBinary b) {
    return object().put("organization", b.location().organization().value()).put("key", b.key().value())
        .put("size", b.size()).put("sha256", b.sha256().hex()).put("storedAt", b.storedAt().toString())
        .put("storage", b.location().instance().toString());
  }

  /** A failure's message for stderr: the library's messages never hold a secret. */
  static String message(Throwable e) {
    if (e instanceof InvalidInputException || e.getMessage() == null) {
      return e.getMessage() == null ? e.toString() : e.getMessage();
    }
    return e.getMessage();
  }
}
