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
 *   <li>A file that cannot be read (truncated, corrupted, under an unknown key, or from a newer
 *       format) raises {@link CorruptStateException} and is left untouched, never replaced by an
 *       empty state.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class JsonFileStateStore implements OrganizationStateStore {
  static final String FORMAT = "binary-backends/organization-state";
  static final int FORMAT_VERSION = 1;
  private static final String SUFFIX = ".json";
  private static final ObjectMapper JSON = org.binarybackends.internal.StrictJson.state();
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JsonFileStateStore.class);
  private static final HexFormat HEX = HexFormat.of();
  private static final int NONCE_BYTES = 12;

  private final Path directory;
  private final List<StateKey> keys;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final SecureRandom random = new SecureRandom();
  private final boolean posix;

  private JsonFileStateStore(Path directory, List<StateKey> keys) {
    this.directory = directory;
    this.keys = List.copyOf(keys);
    this.posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Opens (creating if needed) the store in {@code directory}.
   *
   * @param keys the first encrypts; all decrypt; at least one
   * @throws InvalidConfigurationException if no key is given or two share an id
   */
  public static JsonFileStateStore open(Path directory, List<StateKey> keys) {
    if (keys == null || keys.isEmpty() || keys.stream().map(StateKey::id).distinct().count() != keys.size()) {
      throw new InvalidConfigurationException(List.of(Violation.of("stateKeys",
          keys == null ? null : keys.size() + " keys", "at least one key, each with its own id")));
    }
    JsonFileStateStore store = new JsonFileStateStore(directory.toAbsolutePath().normalize(), keys);
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
    return Optional.of(decode(organization, file, bytes));
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
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(encode(stored));
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
      return stored;
    } catch (IOException e) {
      throw new BackendUnavailableException("cannot write the state of " + next.organization() + " to " + file
          + ": " + e + "; the previous state is kept", true, e);
    } finally {
      writeLock.unlock();
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
    return "JsonFileStateStore{" + directory + ", keys=" + keys.stream().map(StateKey::id).toList() + "}";
  }

  // ---- encoding ----

  private ObjectNode encode(OrganizationState s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT).put("formatVersion", FORMAT_VERSION).put("organization", s.organization().value())
        .put("version", s.version()).put("fallbackAllowed", s.fallbackAllowed());
    root.set("active", s.active().map(b -> encode(s.organization(), "active", b)).orElse(null));
    root.set("staged", s.staged().map(b -> encode(s.organization(), "staged", b)).orElse(null));
    ArrayNode retired = root.putArray("retired");
    s.retired().forEach((instance, settings) -> {
      ObjectNode r = retired.addObject();
      r.set("instance", JSON.valueToTree(instance));
      r.set("settings", seal(settings, aad(s.organization(), "retired", instance.toString())));
      SettingsJson download = s.retiredDownloads().get(instance);
      if (download != null) {
        r.set("downloadSettings", seal(download, aad(s.organization(), "retired-download", instance.toString())));
      }
    });
    ArrayNode history = root.putArray("history");
    for (Transition t : s.history()) {
      history.addObject().put("at", t.at().toString()).put("actor", t.actor()).put("change", t.change())
          .put("reason", t.reason());
    }
    ObjectNode notes = root.putObject("notes");
    s.notes().forEach(notes::put);
    return root;
  }

  private ObjectNode encode(OrganizationId org, String slot, StorageConfiguration b) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", b.id()).put("registeredAt", b.registeredAt().toString());
    n.set("uploadInstance", JSON.valueToTree(b.uploadInstance()));
    n.set("upload", seal(b.upload(), aad(org, slot, b.id() + "/upload")));
    n.set("download", b.download().map(d -> seal(d, aad(org, slot, b.id() + "/download"))).orElse(null));
    n.set("uploadState", encode(b.uploadState()));
    n.set("downloadState", encode(b.downloadState()));
    return n;
  }

  private static ObjectNode encode(PartState p) {
    ObjectNode n = JSON.createObjectNode();
    n.put("status", p.status().name()).put("definiteFailures", p.definiteFailures()).put("passes", p.passes());
    n.set("lastCheck", p.lastCheck().map(c -> (JsonNode) JSON.createObjectNode().put("at", c.at().toString())
        .put("passed", c.passed()).put("retryable", c.retryable()).put("reason", c.reason())).orElse(null));
    return n;
  }

  private static byte[] aad(OrganizationId org, String slot, String place) {
    return ("binary-backends/settings/v1|" + org.value() + "|" + slot + "|" + place).getBytes(StandardCharsets.UTF_8);
  }

  private ObjectNode seal(SettingsJson settings, byte[] aad) {
    StateKey key = keys.get(0);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key.key().reveal(), "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad);
      byte[] sealed = cipher.doFinal(settings.reveal().getBytes(StandardCharsets.UTF_8));
      ObjectNode n = JSON.createObjectNode();
      n.put("type", settings.type()).put("alg", "AES-256-GCM").put("keyId", key.id())
          .put("nonce", Base64.getEncoder().encodeToString(nonce))
          .put("ciphertext", Base64.getEncoder().encodeToString(sealed));
      return n;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is required of every Java platform", e);
    }
  }

  // ---- decoding: every problem is a CorruptStateException naming the file ----

  private OrganizationState decode(OrganizationId organization, Path file, byte[] bytes) {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw corrupt(file, "not a state this store wrote (truncated or damaged): "
          + org.binarybackends.internal.StrictJson.problem(e), e);
    } catch (IOException e) {
      throw corrupt(file, e.toString(), e);
    }
    if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
      throw corrupt(file, "not an organization state file (no \"format\": \"" + FORMAT + "\")", null);
    }
    int formatVersion = root.path("formatVersion").asInt(-1);
    if (formatVersion > FORMAT_VERSION) {
      throw corrupt(file, "written in format " + formatVersion + " by a newer version of the library; this one reads"
          + " format " + FORMAT_VERSION + ": upgrade the library (the file is left as it is)", null);
    }
    try {
      if (formatVersion != FORMAT_VERSION || !organization.value().equals(text(root, "organization"))) {
        throw new IllegalArgumentException("format " + formatVersion + " of organization " + root.path("organization"));
      }
      Map<BackendInstanceId, SettingsJson> retired = new LinkedHashMap<>();
      Map<BackendInstanceId, SettingsJson> retiredDownloads = new LinkedHashMap<>();
      for (JsonNode r : array(root, "retired")) {
        BackendInstanceId instance = JSON.treeToValue(r.get("instance"), BackendInstanceId.class);
        retired.put(instance, unseal(r.get("settings"), aad(organization, "retired", instance.toString())));
        if (r.hasNonNull("downloadSettings")) { // absent in files written before retired parts kept it
          retiredDownloads.put(instance, unseal(r.get("downloadSettings"), aad(organization, "retired-download",
              instance.toString())));
        }
      }
      List<Transition> history = new ArrayList<>();
      for (JsonNode t : array(root, "history")) {
        history.add(new Transition(Instant.parse(text(t, "at")), text(t, "actor"), text(t, "change"), text(t, "reason")));
      }
      Map<String, String> notes = new LinkedHashMap<>();
      root.path("notes").properties().forEach(n -> notes.put(n.getKey(), n.getValue().asText()));
      return new OrganizationState(organization, root.get("version").asLong(),
          backend(organization, "active", root.get("active")), backend(organization, "staged", root.get("staged")),
          retired, retiredDownloads, root.path("fallbackAllowed").asBoolean(false), history, notes);
    } catch (CorruptStateException e) {
      throw corrupt(file, e.getMessage(), e);
    } catch (RuntimeException | IOException e) {
      throw corrupt(file, "its content is not a valid state: " + e.getMessage(), e);
    }
  }

  private Optional<StorageConfiguration> backend(OrganizationId org, String slot, JsonNode n) throws IOException {
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    String id = text(n, "id");
    JsonNode download = n.get("download");
    return Optional.of(new StorageConfiguration(id, unseal(n.get("upload"), aad(org, slot, id + "/upload")),
        JSON.treeToValue(n.get("uploadInstance"), BackendInstanceId.class),
        download == null || download.isNull() ? Optional.empty()
            : Optional.of(unseal(download, aad(org, slot, id + "/download"))),
        part(n.get("uploadState")), part(n.get("downloadState")), Instant.parse(text(n, "registeredAt"))));
  }

  private static PartState part(JsonNode n) {
    JsonNode c = n.get("lastCheck");
    Optional<CheckOutcome> last = c == null || c.isNull() ? Optional.empty() : Optional.of(new CheckOutcome(
        Instant.parse(text(c, "at")), c.get("passed").asBoolean(), c.get("retryable").asBoolean(), text(c, "reason")));
    return new PartState(PartStatus.valueOf(text(n, "status")), last, n.get("definiteFailures").asInt(),
        n.get("passes").asInt());
  }

  private SettingsJson unseal(JsonNode n, byte[] aad) {
    String keyId = text(n, "keyId");
    StateKey key = keys.stream().filter(k -> k.id().equals(keyId)).findFirst().orElseThrow(() ->
        new CorruptStateException("settings are encrypted under state key '" + keyId + "', which is not among the keys"
            + " given " + keys.stream().map(StateKey::id).toList() + ": supply it to read them", null));
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.key().reveal(), "AES"),
          new GCMParameterSpec(128, Base64.getDecoder().decode(text(n, "nonce"))));
      cipher.updateAAD(aad);
      byte[] plain = cipher.doFinal(Base64.getDecoder().decode(text(n, "ciphertext")));
      return SettingsJson.of(new String(plain, StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new CorruptStateException("settings under state key '" + keyId + "' do not decrypt: the key is not the one"
          + " they were written with, or the file was altered", e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing text field \"" + field + "\"");
    }
    return v.asText();
  }

  private static Iterable<JsonNode> array(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("missing array \"" + field + "\"");
    }
    return v;
  }

  private static CorruptStateException corrupt(Path file, String what, Throwable cause) {
    return new CorruptStateException("state file " + file + " cannot be read: " + what, cause);
  }
}
