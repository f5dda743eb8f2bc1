package org.binarybackends.s3.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A JSON document to apply (an IAM policy, an S3 lifecycle configuration), with where it goes and
 * the notes a person applying it needs: why each statement is there, what to know first.
 *
 * @param title what it is and where it goes, e.g. "Trust policy of arn:aws:iam::...:role/uploads"
 * @param document the document, built with Jackson
 * @param notes why each part is there, and the facts to know before applying it
 */
public record PolicyDocument(String title, ObjectNode document, List<String> notes) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public PolicyDocument {
    Objects.requireNonNull(title, "title");
    document = document.deepCopy();
    notes = List.copyOf(notes);
  }

  /** The document as indented JSON, ready to paste. */
  public String json() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public ObjectNode document() {
    return document.deepCopy();
  }
}
