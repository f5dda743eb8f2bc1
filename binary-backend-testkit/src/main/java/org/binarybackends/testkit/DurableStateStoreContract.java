package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.binarybackends.OrganizationId;
import org.junit.jupiter.api.Test;

/**
 * The contract of a state store that keeps states at rest (in files, in a database): everything of
 * {@link OrganizationStateStoreContract}, and settings, which hold secrets, never kept in clear
 * there (sealed by {@link org.binarybackends.activation.SettingsSealer}, as {@link
 * org.binarybackends.activation.StateCodec} does), while what is configured stays readable.
 */
public abstract class DurableStateStoreContract extends OrganizationStateStoreContract {
  /** For a store's test class, which extends it. */
  protected DurableStateStoreContract() {}

  /** The organization's state as the store keeps it at rest: a file's bytes, a row's document. */
  protected abstract byte[] storedForm(OrganizationId organization) throws Exception;

  @Test
  void settingsAreNeverKeptInClearAtRest() throws Exception {
    store.compareAndSet(0, fullState(ORG));
    String kept = new String(storedForm(ORG), StandardCharsets.UTF_8);
    assertThat(kept).doesNotContain("hunter2").doesNotContain("hunter3").doesNotContain("BEGIN");
    assertThat(kept).as("what is configured stays readable").containsPattern("\"type\"\\s*:\\s*\"cloudfront\"")
        .containsPattern("\"type\"\\s*:\\s*\"s3\"");
    assertThat(store.get(ORG).orElseThrow()).isEqualTo(fullState(ORG).withVersion(1));
  }
}
