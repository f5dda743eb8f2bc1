package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.StoredBinary;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the files on disk look like after crashes, restarts and hands in the storage root. */
class DurabilityTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");

  @TempDir
  Path root;

  private BinaryBackend open(Duration staleTempAge) {
    return new DefaultStorageProvider().create(DefaultStorageSettings.builder().root(root).rootId(TestSettings.ROOT_ID)
        .downloadBaseUri(URI.create("http://localhost/")).addSigningKey(SigningKey.of("k1", TestSettings.KEY_1))
        .staleTempAge(staleTempAge).build(), BackendContext.defaults());
  }

  private List<Path> stagingFiles() throws Exception {
    try (Stream<Path> files = Files.list(root.resolve("staging"))) {
      return files.collect(Collectors.toList());
    }
  }

  @Test
  void aProcessKilledMidWriteLeavesThePreviousVersionAndATempFileCleanedAtStart() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        CrashWriter.class.getName(), root.toString(), ORG.value(), "fw/a.bin").redirectErrorStream(true).start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals("WRITING")) {
        assertThat(line).doesNotContain("Exception");
      }
      assertThat(line).as("the child started writing version 2").isEqualTo("WRITING");
      child.destroyForcibly(); // SIGKILL: no finally block, no shutdown hook runs
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(stagingFiles()).as("the interrupted put's temp file").hasSize(1);

    try (BinaryBackend kept = open(Duration.ofHours(1))) {
      assertThat(stagingFiles()).as("a recent temp file may be another process's put in progress").hasSize(1);
      assertThat(kept.stat(ORG, ObjectKey.of("fw/a.bin")).sha256()).isEqualTo(GeneratedContent.sha256(1, 1 << 20));
    }
    try (BinaryBackend restarted = open(Duration.ZERO)) {
      assertThat(stagingFiles()).isEmpty();
      StoredBinary v1 = restarted.stat(ORG, ObjectKey.of("fw/a.bin"));
      assertThat(v1.size()).isEqualTo(1 << 20);
      assertThat(v1.sha256()).isEqualTo(GeneratedContent.sha256(1, 1 << 20));
      try (var content = restarted.read(ORG, ObjectKey.of("fw/a.bin"))) {
        assertThat(GeneratedContent.digest(content.stream())).isEqualTo(v1.sha256());
      }
      assertThat(restarted.list(ORG, "").map(b -> b.key().value())).containsExactly("fw/a.bin");
    }
  }

  @Test
  void staleTempFilesAreDeletedAtStartAndFreshOnesKept() throws Exception {
    try (BinaryBackend first = open(Duration.ofMinutes(10))) {
      first.put(ORG, ObjectKey.of("k"), new GeneratedContent(1, 10));
    }
    Path stale = Files.writeString(root.resolve("staging/11111111-dead.part"), "partial");
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofMinutes(11))));
    Path fresh = Files.writeString(root.resolve("staging/22222222-live.part"), "partial");
    Path notOurs = Files.writeString(root.resolve("staging/readme.txt"), "x");
    Files.setLastModifiedTime(notOurs, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
    try (BinaryBackend second = open(Duration.ofMinutes(10))) {
      assertThat(stale).doesNotExist();
      assertThat(fresh).exists();
      assertThat(notOurs).exists();
      assertThat(second.stat(ORG, ObjectKey.of("k")).size()).isEqualTo(10);
    }
  }

  @Test
  void verifyNamesTheFailingCheckAndWhatToDo() throws Exception {
    try (BinaryBackend backend = open(Duration.ofHours(1))) {
      org.binarybackends.VerificationReport healthy = backend.verify();
      assertThat(healthy.passed()).as(healthy.toString()).isTrue();
      Files.delete(root.resolve("staging")); // as an operator's clean-up script might
      org.binarybackends.VerificationReport report = backend.verify();
      assertThat(report.passed()).isFalse();
      assertThat(report.failures()).singleElement().satisfies(c -> {
        assertThat(c.name()).isEqualTo("write-read-probe");
        assertThat(c.detail()).contains(root.toString()).contains("check that the directory exists");
        assertThat(c.retryable()).isFalse();
      });
      assertThat(report.checks()).extracting(c -> c.name())
          .containsExactly("write-read-probe", "free-space", "sign-download-url", "download-server");
    }
  }

  @Test
  void failedPutsLeaveNoTempFileBehind() throws Exception {
    try (BinaryBackend backend = open(Duration.ofHours(1))) {
      assertThatThrownBy(() -> backend.put(ORG, ObjectKey.of("k"), new GeneratedContent(1, 100),
          org.binarybackends.PutOptions.builder().contentLength(99).build()));
      assertThat(stagingFiles()).isEmpty();
    }
  }

  @Test
  void aRootHoldingOtherFilesIsRefusedAndAnExistingStorageReopens(@TempDir Path other) throws Exception {
    Files.writeString(other.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> new DefaultStorageProvider().create(DefaultStorageSettings.builder().root(other).rootId(TestSettings.ROOT_ID)
        .downloadBaseUri(URI.create("http://localhost/")).addSigningKey(SigningKey.of("k1", TestSettings.KEY_1))
        .build(), BackendContext.defaults()))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> {
          assertThat(e.violations()).extracting(v -> v.field()).containsExactly("root");
          assertThat(e.getMessage()).contains("holds other files");
        });
    assertThat(other.resolve("notes.txt")).hasContent("mine");
    try (BinaryBackend first = open(Duration.ofHours(1))) {
      first.put(ORG, ObjectKey.of("kept"), new GeneratedContent(5, 1000));
    }
    try (BinaryBackend reopened = open(Duration.ofHours(1))) {
      assertThat(reopened.stat(ORG, ObjectKey.of("kept")).sha256()).isEqualTo(GeneratedContent.sha256(5, 1000));
    }
  }

  @Test
  void symbolicLinksPlantedInTheRootAreNeverFollowed() throws Exception {
    Path outside = Files.createDirectories(root.resolveSibling(root.getFileName() + "-outside"));
    try {
      Files.writeString(outside.resolve("fsecret"), "outside the root");
      try (BinaryBackend backend = open(Duration.ofHours(1))) {
        backend.put(ORG, ObjectKey.of("own"), new GeneratedContent(1, 10));
        Path orgDir = root.resolve("objects/oorg-a");
        Files.createSymbolicLink(orgDir.resolve("flink"), outside.resolve("fsecret"));
        assertThatThrownBy(() -> backend.read(ORG, ObjectKey.of("link"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> backend.stat(ORG, ObjectKey.of("link"))).isInstanceOf(AccessDeniedException.class);
        assertThat(backend.list(ORG, "").map(b -> b.key().value())).containsExactly("own");

        OrganizationId victim = OrganizationId.of("org-b");
        Files.createSymbolicLink(root.resolve("objects/oorg-b"), outside);
        assertThatThrownBy(() -> backend.read(victim, ObjectKey.of("secret"))).isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> backend.put(victim, ObjectKey.of("planted"), new GeneratedContent(1, 10)))
            .isInstanceOf(AccessDeniedException.class);
        assertThatThrownBy(() -> backend.delete(victim, ObjectKey.of("secret"))).isInstanceOf(AccessDeniedException.class);
        assertThat(outside.resolve("fsecret")).hasContent("outside the root");
        try (Stream<Path> files = Files.list(outside)) {
          assertThat(files).hasSize(1);
        }
      }
    } finally {
      try (Stream<Path> files = Files.list(outside)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          Files.delete(p);
        }
      }
      Files.delete(outside);
    }
  }
}
