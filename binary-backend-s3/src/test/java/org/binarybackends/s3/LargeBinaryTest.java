package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.binarybackends.testkit.GeneratedContent;
import org.binarybackends.testkit.LocalSts;
import org.junit.jupiter.api.Test;

/**
 * A 4 GiB binary of unknown length through the S3 backend in a JVM limited to 128 MiB of heap: the
 * upload holds at most its parts in flight, the download streams. Run in a separate JVM, so the
 * limit is real and the embedded servers are not counted in it.
 */
class LargeBinaryTest {
  private static final long SIZE = 4L << 30;

  @Test
  void fourGibibytesGoThroughWith128MibOfHeap() throws Exception {
    try (S3Fixture fixture = new S3Fixture()) {
      S3Settings settings = fixture.onboard("org-large", true);
      LocalSts.Identity base = fixture.sts.addBaseIdentity(S3Fixture.PLATFORM_PRINCIPAL);
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx128m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
          LargePutMain.class.getName(), fixture.sts.endpoint().toString(), fixture.s3.directEndpoint().toString(),
          base.accessKeyId(), base.secretAccessKey(), settings.bucket().value(), "org-large", Long.toString(SIZE)));
      Path log = java.nio.file.Files.createTempFile("large-put", ".log");
      Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      boolean finished = child.waitFor(15, TimeUnit.MINUTES);
      child.destroyForcibly();
      String output = java.nio.file.Files.readString(log, StandardCharsets.UTF_8);
      java.nio.file.Files.delete(log);
      assertThat(finished).as("finished in time: " + output).isTrue();
      System.out.println("LargeBinaryTest: " + output.lines().filter(l -> l.startsWith("put ")).findFirst().orElse(""));
      assertThat(child.exitValue()).as(output).isZero();
      String expected = GeneratedContent.sha256(42, SIZE).hex();
      assertThat(output).contains("put " + expected + " " + SIZE + " read " + expected);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
