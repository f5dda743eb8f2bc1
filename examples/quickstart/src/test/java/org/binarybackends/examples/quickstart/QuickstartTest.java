package org.binarybackends.examples.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart runs end to end as the README promises (with a smaller binary). */
class QuickstartTest {
  @TempDir
  Path root;

  @Test
  void storesSignsDownloadsAndResumes() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Quickstart.run(root, 3 << 20);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("OK   whole download: HTTP 200").contains("OK   resumed download: HTTP 206 then 206")
        .contains("because pending: upload configuration pending: ").contains("Address already in use")
        .contains("OK   while pending, a new upload stays on the platform's storage")
        .contains("event: switched to cfg-")
        .contains("OK   after the switch (active: default{name=acme-onprem})")
        .contains("OK   before the trust policy is applied, uploads stay on the platform's storage")
        .contains("OK   after verification (active: s3{")
        .contains("OK   degraded, and uploads refused with the reason: ")
        .contains("OK   before the distribution trusts the key, uploads stay on the platform's storage")
        .contains("OK   downloads come from the edge: ")
        .contains("OK   after the rotation the new key signs, and the old key's URL still works")
        .doesNotContain("BEGIN PRIVATE KEY").doesNotContain("Signature=")
        .doesNotContain("FAIL").doesNotContain("sig=").doesNotContain("X-Amz-Signature");
    // three in part two; in part three, the binary stored before the bucket, and one stored in it
    assertThat(out.lines().filter(l -> l.startsWith("OK   default{name=") && l.contains("HTTP 200"))).hasSize(4);
    assertThat(out.lines().filter(l -> l.startsWith("OK   s3{") && l.contains("downloads: HTTP 200"))).hasSize(1);
  }
}
