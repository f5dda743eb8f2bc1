package org.binarybackends.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only a file store can get wrong: restarts, permissions, encryption, damaged files. */
class JsonFileStateStoreTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final StateKey K1 = new StateKey("k1", Secret.ofBytes("0123456789abcdef0123456789abcdef".getBytes()));
  private static final StateKey K2 = new StateKey("k2", Secret.ofBytes("fedcba9876543210fedcba9876543210".getBytes()));

  @TempDir
  Path dir;

  private static OrganizationState withSecretSettings(OrganizationId org) {
    StorageConfiguration b = new StorageConfiguration("cfg-1", SettingsJson.of("{\"type\":\"s3\",\"secretKey\":\"hunter2-secret\"}"),
        BackendInstanceId.of("s3", Map.of("bucket", "b1")), Optional.empty(), PartState.pending(), PartState.pending(),
        Instant.parse("2026-11-27T12:00:00Z"));
    return OrganizationState.initial(org).withStaged(Optional.of(b));
  }

  private JsonFileStateStore open(StateKey... keys) {
    return JsonFileStateStore.open(dir.resolve("state"), List.of(keys));
  }

  @Test
  void statesSurviveARestartAndSecretsAreNeverWrittenInClear() throws Exception {
    OrganizationState stored = open(K1).compareAndSet(0, withSecretSettings(ORG));
    Path file = open(K1).fileOf(ORG);
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("hunter2").contains("AES-256-GCM").contains("\"bucket\" : \"b1\"");
    assertThat(open(K1).get(ORG)).hasValue(stored);
    assertThat(Files.getPosixFilePermissions(dir.resolve("state"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(open(K1).toString()).doesNotContain("0123456789abcdef");
  }

  @Test
  void keysRotateTheFirstEncryptsAndAllDecrypt() throws Exception {
    open(K1).compareAndSet(0, withSecretSettings(ORG));
    JsonFileStateStore rotated = open(K2, K1);
    OrganizationState read = rotated.get(ORG).orElseThrow();
    assertThat(read.staged().orElseThrow().upload().reveal()).contains("hunter2-secret");
    rotated.compareAndSet(1, read.withFallbackAllowed(true));
    assertThat(Files.readString(rotated.fileOf(ORG))).contains("\"keyId\" : \"k2\"").doesNotContain("\"keyId\" : \"k1\"");
    assertThatThrownBy(() -> open(K1).get(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("'k2', which is not among the keys given [k1]");
  }

  @Test
  void aWrongKeyOrAMovedCiphertextIsRefused() throws Exception {
    open(K1).compareAndSet(0, withSecretSettings(ORG));
    StateKey impostor = new StateKey("k1", Secret.ofBytes(new byte[32]));
    assertThatThrownBy(() -> open(impostor).get(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("do not decrypt");
    // another organization's file with this one's sealed settings pasted in
    OrganizationId other = OrganizationId.of("org-b");
    JsonFileStateStore store = open(K1);
    store.compareAndSet(0, withSecretSettings(other));
    String mine = Files.readString(store.fileOf(ORG));
    Files.writeString(store.fileOf(other), mine.replace("\"organization\" : \"org-a\"", "\"organization\" : \"org-b\""));
    assertThatThrownBy(() -> store.get(other)).isInstanceOf(CorruptStateException.class).hasMessageContaining("decrypt");
  }

  @Test
  void damagedFilesAreReportedAndLeftAsTheyAre() throws Exception {
    JsonFileStateStore store = open(K1);
    store.compareAndSet(0, withSecretSettings(ORG));
    Path file = store.fileOf(ORG);
    byte[] good = Files.readAllBytes(file);
    byte[] truncated = java.util.Arrays.copyOf(good, good.length / 2);
    Files.write(file, truncated);
    assertThatThrownBy(() -> store.get(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("truncated");
    assertThatThrownBy(() -> store.compareAndSet(1, OrganizationState.initial(ORG)))
        .isInstanceOf(CorruptStateException.class);
    assertThat(Files.readAllBytes(file)).isEqualTo(truncated); // never silently replaced

    Files.writeString(file, new String(good, StandardCharsets.UTF_8).replace("\"formatVersion\" : 1", "\"formatVersion\" : 2"));
    assertThatThrownBy(() -> store.get(ORG)).isInstanceOf(CorruptStateException.class)
        .hasMessageContaining("format 2 by a newer version").hasMessageContaining("upgrade");

    Files.writeString(file, new String(good, StandardCharsets.UTF_8).replace("\"PENDING\"", "\"SIDEWAYS\""));
    assertThatThrownBy(() -> store.get(ORG)).isInstanceOf(CorruptStateException.class).hasMessageContaining("SIDEWAYS");

    Files.writeString(file, "{\"hello\":1}");
    assertThatThrownBy(() -> store.get(ORG)).hasMessageContaining("not an organization state file");
    assertThat(store.get(OrganizationId.of("org-z"))).isEmpty();
  }

  @Test
  void leftoverTempFilesAreRemovedOnOpenAndKeysAreChecked() throws Exception {
    open(K1).compareAndSet(0, withSecretSettings(ORG));
    Path temp = Files.writeString(dir.resolve("state/.tmp-crashed"), "{half");
    open(K1);
    assertThat(temp).doesNotExist();
    assertThat(open(K1).organizations()).containsExactly(ORG);
    assertThatThrownBy(() -> JsonFileStateStore.open(dir, List.of())).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> JsonFileStateStore.open(dir, List.of(K1, K1))).isInstanceOf(InvalidConfigurationException.class);
    assertThatThrownBy(() -> new StateKey("k", Secret.ofBytes(new byte[16])))
        .hasMessageContaining("exactly 32 random bytes").hasMessageContaining("it has 16");
  }

  @Test
  void aNoteIsWrittenToItsOwnFileAndNeverRewritesTheState() throws Exception {
    JsonFileStateStore store = open(K1);
    store.compareAndSet(0, withSecretSettings(ORG));
    byte[] state = Files.readAllBytes(store.fileOf(ORG));
    java.nio.file.attribute.FileTime modified = Files.getLastModifiedTime(store.fileOf(ORG));
    store.compareAndSet(ORG, "cloudfront/h/K1/latest-expiry", 0, Optional.of("2026-12-01T13:00:00Z"));
    assertThat(Files.readAllBytes(store.fileOf(ORG))).isEqualTo(state);
    assertThat(Files.getLastModifiedTime(store.fileOf(ORG))).isEqualTo(modified);
    assertThat(Files.readString(store.notesFileOf(ORG))).contains("2026-12-01T13:00:00Z");
    assertThat(Files.getPosixFilePermissions(store.notesFileOf(ORG))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(open(K1).get(ORG, "cloudfront/h/K1/latest-expiry")).hasValue(new NoteStore.Note("2026-12-01T13:00:00Z", 1));
    assertThat(open(K1).organizations()).as("a notes file is not an organization's state").containsExactly(ORG);
  }

  @Test
  void notesKeptInStatesWrittenBeforeNotesHadTheirOwnFileAreNotLost() throws Exception {
    JsonFileStateStore store = open(K1);
    store.compareAndSet(0, withSecretSettings(ORG));
    // a state file as earlier versions wrote it: notes inside
    Path file = store.fileOf(ORG);
    com.fasterxml.jackson.databind.node.ObjectNode old = (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readAllBytes(file));
    old.putObject("notes").put("cloudfront/h/K1/latest-expiry", "2026-11-27T13:15:00Z").put("other", "o");
    Files.writeString(file, old.toString());
    assertThat(store.get(ORG)).isPresent();
    assertThat(store.list(ORG, "")).containsOnlyKeys("cloudfront/h/K1/latest-expiry", "other");
    assertThat(store.get(ORG, "other")).hasValue(new NoteStore.Note("o", 1));
    store.compareAndSet(ORG, "other", 1, Optional.of("changed"));
    assertThat(store.get(ORG, "cloudfront/h/K1/latest-expiry")).as("carried into the notes file")
        .hasValue(new NoteStore.Note("2026-11-27T13:15:00Z", 1));
    assertThat(store.get(ORG, "other")).hasValue(new NoteStore.Note("changed", 2));
  }
}
