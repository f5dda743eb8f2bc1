package org.binarybackends.activation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;

/**
 * Organization states as JSON files, one per organization, in a directory that survives restarts.
 *
 * <ul>
 *   <li>Every update writes a temp file, fsyncs it, renames it over the old one and fsyncs the
 *       directory: a crash leaves the old state or the new one, never half of either.
 *   <li>Compare-and-set holds a lock in this process and an OS file lock on {@code .lock}, so
 *       service instances sharing the directory on one host never overwrite each other. (Instances
 *       on several hosts need a database store.)
 *   <li>The directory and files are created readable by their owner only (on POSIX filesystems).
 *   <li>Settings, which hold secrets, are encrypted with AES-256-GCM under a {@link StateKey} the
 *       embedding service supplies; the ciphertext is bound to its organization and place, so it
 *       cannot be moved to another. The first key encrypts; every key given decrypts (rotation).
 *       Everything else (states, reasons, history) is plain JSON an operator can read.
 *   <li>Backends' notes ({@link NoteStore}) are kept in a small file of their own per organization,
 *       {@code n<organization>.json}, in clear (notes hold no secret), under the same lock: a note
 *       written on the download path rewrites that file alone, never the state with its settings.
 *   <li>The state documents are {@link StateCodec}'s, their settings sealed by its {@link SettingsSealer}.
 *   <li>A file that cannot be read (truncated, corrupted, under an unknown key, or from a newer
 *       format) raises {@link CorruptStateException} and is left untouched, never replaced by an
 *       empty state.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JsonFileStateStore implements OrganizationStateStore, NoteStore {
  static final String FORMAT = StateCodec.FORMAT;
  static final int FORMAT_VERSION = StateCodec.FORMAT_VERSION;
  private static final String NOTES_FORMAT = "binary-backends/organization-notes";
  private static final String SUFFIX = ".json";
  private static final ObjectMapper JSON = org.binarybackends.internal.StrictJson.state();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JsonFileStateStore.class);
  private static final HexFormat HEX = HexFormat.of();

  private final Path directory;
  private final StateCodec codec;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final boolean posix;

  private JsonFileStateStore(Path directory, SettingsSealer sealer) {
    this.directory = directory;
    this.codec = new StateCodec(sealer);
    this.posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @param keys the first encrypts; all decrypt; at least one
   * @throws InvalidConfigurationException if no key is given or two share an id
   */
  public static JsonFileStateStore open(Path directory, List<StateKey> keys) {
    JsonFileStateStore store = new JsonFileStateStore(directory.toAbsolutePath().normalize(), SettingsSealer.of(keys));
    try {
      if (!Files.isDirectory(store.directory)) {
        Files.createDirectories(store.directory, store.ownerOnly(true));
      }
      store.deleteTempFiles();
    } catch (IOException e) {
      throw new BackendUnavailableException("cannot open the state directory " + directory + ": " + e, true, e);
    }
    return store;
  }

  private FileAttribute<?>[] ownerOnly(boolean dir) {
    return posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString(dir ? "rwx------" : "rw-------"))} : new FileAttribute<?>[0];
  }

  @SuppressWarnings("try") // the lock is held for the block, not used in it
  private void deleteTempFiles() throws IOException {
    try (FileChannel lockFile = lockChannel(); FileLock lock = lockFile.lock();
         DirectoryStream<Path> temps = Files.newDirectoryStream(directory, ".tmp-*")) {
      for (Path temp : temps) {
        Files.deleteIfExists(temp); // under the lock, no writer is using one
      }
    }
  }

  private FileChannel lockChannel() throws IOException {
    Path lock = directory.resolve(".lock");
    try {
      return FileChannel.open(lock, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          ownerOnly(false));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return FileChannel.open(lock, StandardOpenOption.WRITE);
    }
  }

  /** The file of {@code organization}: its id, escaped so that ids differing in case never share a file. */
  Path fileOf(OrganizationId organization) {
    StringBuilder name = new StringBuilder("o");
    for (byte b : organization.value().getBytes(StandardCharsets.US_ASCII)) {
      if (b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
        name.append((char) b);
      } else {
        name.append('%').append(HEX.toHexDigits(b));
      }
    }
    return directory.resolve(name.append(SUFFIX).toString());
  }

  @Override
  public Optional<OrganizationState> get(OrganizationId organization) {
    Path file = fileOf(organization);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new BackendUnavailableException("cannot read " + file + ": " + e, true, e);
    }
    try {
      return Optional.of(codec.decode(organization, bytes));
    } catch (CorruptStateException e) {
      throw corrupt(file, e.getMessage(), e);
    }
  }

  @Override
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  public OrganizationState compareAndSet(long expectedVersion, OrganizationState next) {
    OrganizationState stored = next.withVersion(expectedVersion + 1);
    Path file = fileOf(next.organization());
    writeLock.lock();
    try (FileChannel lockFile = lockChannel(); FileLock lock = lockFile.lock()) {
      long actual = get(next.organization()).map(OrganizationState::version).orElse(0L);
      if (actual != expectedVersion) {
        throw new StateConflictException(next.organization(), expectedVersion, actual);
      }
      writeAtomically(file, codec.encode(stored));
      return stored;
    } catch (IOException e) {
      throw new BackendUnavailableException("cannot write the state of " + next.organization() + " to " + file
          + ": " + e + "; the previous state is kept", true, e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Writes a temp file, fsyncs it, renames it over {@code file} and fsyncs the directory: the old or the new, never half. */
  private void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path temp = directory.resolve(".tmp-" + UUID.randomUUID());
    try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), ownerOnly(false))) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
      out.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }

  /** The organization whose file {@code f} is, or {@code null} if no organization's file has that name. */
  private OrganizationId organizationOf(Path f) {
    String n = f.getFileName().toString();
    String escaped = n.substring(1, n.length() - SUFFIX.length());
    StringBuilder id = new StringBuilder();
    try {
      for (int i = 0; i < escaped.length(); i++) {
        char c = escaped.charAt(i);
        if (c == '%' && i + 2 < escaped.length()) {
          id.append((char) Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
          i += 2;
        } else {
          id.append(c);
        }
      }
      OrganizationId organization = OrganizationId.of(id.toString());
      return fileOf(organization).getFileName().toString().equals(n) ? organization : null;
    } catch (RuntimeException e) {
      return null; // not hex after '%', or not a valid organization id
    }
  }

  @Override
  public List<OrganizationId> organizations() {
    List<OrganizationId> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "o*" + SUFFIX)) {
      for (Path f : files) {
        OrganizationId id = organizationOf(f);
        if (id == null) {
          // a stray file (a copy an operator made, an editor's backup) must not stop every organization
          LOG.warn("Skipping {} in the state directory: not the file of an organization this store wrote", f);
        } else {
          out.add(id);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Collections.sort(out);
    return out;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "JsonFileStateStore{" + directory + ", keys=" + codec.sealer().keyIds() + "}";
  }

  private static CorruptStateException corrupt(Path file, String what, Throwable cause) {
    return new CorruptStateException("state file " + file + " cannot be read: " + what, cause);
  }

  // ---- notes: a small file of their own per organization, never the state's ----

  /** The notes file of {@code organization}: the state file's name with {@code n} for {@code o}. */
  Path notesFileOf(OrganizationId organization) {
    return directory.resolve("n" + fileOf(organization).getFileName().toString().substring(1));
  }

  @Override
  public Optional<Note> get(OrganizationId organization, String name) {
    return Optional.ofNullable(notesOf(organization).get(name));
  }

  @Override
  public Map<String, Note> list(OrganizationId organization, String prefix) {
    java.util.Objects.requireNonNull(prefix, "prefix");
    return NoteMaps.withPrefix(notesOf(organization), prefix);
  }

  @Override
  @SuppressWarnings("try") // the lock is held for the block, not used in it
  public Optional<Note> compareAndSet(OrganizationId organization, String name, long expectedVersion,
      Optional<String> value) {
    Path file = notesFileOf(organization);
    writeLock.lock();
    try (FileChannel lockFile = lockChannel(); FileLock lock = lockFile.lock()) {
      java.util.TreeMap<String, Note> next = NoteMaps.apply(notesOf(organization), organization, name,
          expectedVersion, value);
      ObjectNode root = JSON.createObjectNode().put("format", NOTES_FORMAT).put("formatVersion", 1)
          .put("organization", organization.value());
      ObjectNode notes = root.putObject("notes");
      next.forEach((n, note) -> notes.putObject(n).put("value", note.value()).put("version", note.version()));
      writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
      return Optional.ofNullable(next.get(name));
    } catch (IOException e) {
      throw new BackendUnavailableException("cannot write note " + name + " of " + organization + " to " + file
          + ": " + e + "; the previous notes are kept", true, e);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * The organization's notes: its notes file, or, until one is written, the notes that states
   * written before notes had a file of their own hold (each at version 1), so that none is lost.
   */
  private Map<String, Note> notesOf(OrganizationId organization) {
    Path file = notesFileOf(organization);
    try {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (NoSuchFileException e) {
        return legacyNotes(organization);
      }
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !NOTES_FORMAT.equals(root.path("format").asText())
          || !organization.value().equals(root.path("organization").asText())) {
        throw new CorruptStateException("notes file " + file + " cannot be read: not the notes of " + organization, null);
      }
      Map<String, Note> out = new java.util.TreeMap<>();
      root.path("notes").properties().forEach(n -> out.put(n.getKey(), new Note(n.getValue().path("value").asText(),
          n.getValue().path("version").asLong())));
      return out;
    } catch (CorruptStateException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new CorruptStateException("notes file " + file + " cannot be read: " + e.getMessage(), e);
    }
  }

  private Map<String, Note> legacyNotes(OrganizationId organization) throws IOException {
    byte[] state;
    try {
      state = Files.readAllBytes(fileOf(organization));
    } catch (NoSuchFileException e) {
      return Map.of();
    }
    Map<String, Note> out = new java.util.TreeMap<>();
    try {
      JSON.readTree(state).path("notes").properties().forEach(n -> out.put(n.getKey(), new Note(n.getValue().asText(),
          1)));
    } catch (JsonProcessingException e) {
      return Map.of(); // the state itself is corrupt: get() says so
    }
    return out;
  }
}
