package org.binarybackends.defaultstore.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ContentReadException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.ListPage;
import org.binarybackends.ListedBinary;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Secret;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.Violation;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.DownloadTokens;
import org.binarybackends.spi.BackendContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default storage: binaries as files under one root shared by all organizations.
 *
 * <pre>
 * root/binary-backends-storage.properties   the marker: the root is ours, its layout and its id (0600)
 * root/objects/o&lt;organization&gt;/...        one file per binary, named by {@link KeyPaths}
 * root/staging/                              temp files of puts in progress
 * </pre>
 *
 * <p>A put streams into a temp file in {@code staging/} while hashing, checks digest and length,
 * writes the {@link ObjectFile} header, fsyncs, renames the file into place atomically and fsyncs
 * the directory: a reader sees the old version or the new one, and a crash leaves at most a temp
 * file, deleted at a later start, or by the periodic sweep, once older than {@link DefaultStorageSettings#staleTempAge()}
 * (the age protects puts in progress in another process sharing the root). Thread-safe.
 */
public final class DefaultStorageBackend implements BinaryBackend {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultStorageBackend.class);
  private static final String MARKER = "binary-backends-storage.properties";
  private static final String MARKER_TEMP = MARKER + ".tmp";
  private static final String MARKER_CONTENT = "# binary-backends default storage; do not edit files under this root by hand,"
      + " and keep this file private: its id opens the root\nlayout=1\n";
  private static final String TEMP_SUFFIX = ".part";
  private static final String PROBE_PREFIX = "verify-";
  private static final int PUBLISH_ATTEMPTS = 5;
  /**
   * Owner-only, like the state files: binaries may be an organization's confidential firmware, and
   * the service's user is the only one that needs them (umask can only take bits away from these).
   * Empty where the filesystem has no POSIX permissions.
   */
  private static final boolean POSIX = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
      .contains("posix");
  private static final java.nio.file.attribute.FileAttribute<?>[] FILE_MODE = POSIX
      ? new java.nio.file.attribute.FileAttribute<?>[] {java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"))}
      : new java.nio.file.attribute.FileAttribute<?>[0];
  private static final java.nio.file.attribute.FileAttribute<?>[] DIRECTORY_MODE = POSIX
      ? new java.nio.file.attribute.FileAttribute<?>[] {java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"))}
      : new java.nio.file.attribute.FileAttribute<?>[0];

  private final DefaultStorageSettings settings;
  private final BackendContext context;
  private final BackendInstanceId instanceId;
  private final Path root;
  private final Path objects;
  private final Path staging;
  private final DownloadTokens tokens;
  private final DownloadServer server;
  private final URI downloadBase;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService flushExecutor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "binary-storage-flush");
    t.setDaemon(true);
    return t;
  });
  /** The temp files and probes of this process's puts and verifies in progress: never swept. */
  private final java.util.Set<Path> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "binary-storage-sweep");
        t.setDaemon(true);
        return t;
      });
  private final java.util.concurrent.atomic.AtomicLong sweeps = new java.util.concurrent.atomic.AtomicLong();

  public DefaultStorageBackend(DefaultStorageSettings settings, BackendContext context) {
    this.settings = settings;
    this.context = context;
    this.instanceId = settings.instanceId();
    try {
      this.root = prepareRoot(settings.root(), settings.rootId());
      this.objects = Files.createDirectories(root.resolve("objects"), DIRECTORY_MODE);
      this.staging = Files.createDirectories(root.resolve("staging"), DIRECTORY_MODE);
      ownerOnly(root, objects, staging);
      deleteStaleTempFiles();
    } catch (IOException e) {
      sweeper.shutdownNow();
      throw unavailable("cannot prepare the storage root " + settings.root(), e);
    } catch (RuntimeException e) {
      sweeper.shutdownNow();
      throw e;
    }
    // crashed puts of other processes sharing the root, and this one's abandoned probes, do not
    // wait for the next start: every half of staleTempAge (at most 10 minutes, at least 100 ms)
    long every = Math.max(100, Math.min(Duration.ofMinutes(10).toMillis(), settings.staleTempAge().toMillis() / 2));
    sweeper.scheduleWithFixedDelay(this::sweep, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    this.tokens = DownloadTokens.of(settings, context.clock());
    if (settings.downloadServerAddress().isPresent()) {
      this.server = DownloadServer.start(this, tokens, settings,
          settings.downloadBaseUri().map(URI::getRawPath).orElse("/"), context.instrumentation());
      this.downloadBase = settings.downloadBaseUri().orElse(server.localUri());
    } else {
      this.server = null;
      this.downloadBase = settings.downloadBaseUri().orElseThrow();
    }
    LOG.info("Default storage at {} serving downloads under {}", settings.root(), downloadBase);
  }

  /**
   * Creates the root, carrying {@code rootId}, or checks that an existing one is ours and carries
   * {@code rootId}; returns its real path. Knowing a root's path is not enough to open it: an
   * organization allowed this type cannot name the platform's root with signing keys of its own.
   */
  private static Path prepareRoot(Path root, Secret rootId) throws IOException {
    refuseNested(root);
    Files.createDirectories(root, DIRECTORY_MODE);
    Path real = root.toRealPath();
    Path marker = real.resolve(MARKER);
    if (!Files.exists(marker)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(real,
          p -> !p.getFileName().toString().equals(MARKER_TEMP))) {
        if (entries.iterator().hasNext()) {
          throw new InvalidConfigurationException(List.of(Violation.of("root", root.toString(),
              "an empty or new directory, or an existing default storage root; this one holds other files and no "
                  + MARKER)));
        }
      }
      if (createMarker(real, marker, rootId)) {
        LOG.info("Created the default storage root {}", real);
        return real;
      } // else another process created it at the same time: check it as any existing root
    }
    java.util.Properties p = new java.util.Properties();
    try (java.io.Reader r = Files.newBufferedReader(marker, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    if (!"1".equals(p.getProperty("layout"))) {
      throw new InvalidConfigurationException(List.of(Violation.of("root", root.toString(),
          "a root of storage layout 1; " + marker + " names another layout")));
    }
    String id = p.getProperty("id");
    if (id == null) {
      throw new InvalidConfigurationException(List.of(Violation.ofSecret("rootId",
          "the id of the storage root " + real + ", made before roots carried one: add the line id= followed by"
              + " these settings' rootId to its " + MARKER + " (only the platform's own configuration may)")));
    }
    // constant time: the id is what keeps another's settings out
    if (!MessageDigest.isEqual(id.getBytes(StandardCharsets.UTF_8), rootId.reveal())) {
      throw new InvalidConfigurationException(List.of(Violation.ofSecret("rootId",
          "the id that the storage root " + real + " carries (the id= line of its " + MARKER
              + "), which only the configuration of that root's owner names; these settings name another")));
    }
    return real;
  }

  /**
   * Makes a root created before binaries were owner-only so: its directories 0700 (nobody else can
   * reach a file below them, whatever its own mode) and its marker, whose id opens it, 0600. New
   * roots are created so; this changes only what an older version, or an operator, left open.
   */
  private static void ownerOnly(Path root, Path... directories) throws IOException {
    if (!POSIX) {
      return;
    }
    java.util.Set<java.nio.file.attribute.PosixFilePermission> dir =
        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
    for (Path d : prepend(root, directories)) {
      if (!Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS).equals(dir)) {
        LOG.warn("{} was readable by others: making it owner-only (0700)", d);
        Files.setPosixFilePermissions(d, dir);
      }
    }
    Path marker = root.resolve(MARKER);
    java.util.Set<java.nio.file.attribute.PosixFilePermission> file =
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------");
    if (!Files.getPosixFilePermissions(marker, LinkOption.NOFOLLOW_LINKS).equals(file)) {
      Files.setPosixFilePermissions(marker, file);
    }
  }

  private static Path[] prepend(Path first, Path... rest) {
    Path[] all = new Path[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /**
   * Refuses a root inside another root (checked before anything is created): its files would be
   * another storage's, e.g. under {@code objects/o<organization>/} of the platform's root, a key
   * space of an organization that never wrote there.
   */
  private static void refuseNested(Path root) throws IOException {
    Path existing = root;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    Path real = existing.toRealPath();
    for (Path p = existing.equals(root) ? real.getParent() : real; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve(MARKER))) {
        throw new InvalidConfigurationException(List.of(Violation.of("root", root.toString(),
            "a directory outside every other default storage root; this one is inside the root " + p)));
      }
    }
  }

  /**
   * Writes the marker of a new root, durably and without ever replacing one: a hard link fails if
   * another process created the marker meanwhile ({@code false} then), where a rename would replace it.
   */
  private static boolean createMarker(Path real, Path marker, Secret rootId) throws IOException {
    Path temp = real.resolve(MARKER_TEMP);
    Files.deleteIfExists(temp);
    try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), FILE_MODE)) {
      out.write(ByteBuffer.wrap((MARKER_CONTENT + "id=" + rootId.revealUtf8() + "\n").getBytes(StandardCharsets.UTF_8)));
      out.force(true);
    }
    try {
      Files.createLink(marker, temp);
    } catch (FileAlreadyExistsException e) {
      return false;
    } catch (UnsupportedOperationException e) {
      // no hard links on this filesystem: a rename, which two processes creating one root at the same instant could race
      Files.move(temp, marker, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temp);
    }
    fsyncDirectory(real);
    return true;
  }

  /**
   * Deletes temp files of interrupted puts and leftover verify probes untouched for {@link
   * DefaultStorageSettings#staleTempAge()}, except this process's own in progress: the age protects
   * those of another process sharing the root.
   */
  private void deleteStaleTempFiles() throws IOException {
    // File times are wall-clock times: compare with the system clock, not the context's.
    long cutoff = System.currentTimeMillis() - settings.staleTempAge().toMillis();
    int deleted = 0;
    long bytes = 0;
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(staging,
        p -> p.getFileName().toString().endsWith(TEMP_SUFFIX) || p.getFileName().toString().startsWith(PROBE_PREFIX))) {
      for (Path temp : temps) {
        if (inFlight.contains(temp)) {
          continue;
        }
        try {
          java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(temp,
              java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
          if (a.lastModifiedTime().toMillis() <= cutoff && Files.deleteIfExists(temp)) {
            deleted++;
            bytes += a.size();
          }
        } catch (NoSuchFileException e) {
          // finished or deleted meanwhile
        }
      }
    }
    if (deleted > 0) {
      LOG.info("Deleted {} temp files of interrupted puts and probes ({} bytes) from {}", deleted, bytes, staging);
    }
  }

  private void sweep() {
    try {
      deleteStaleTempFiles();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Sweeping {} failed: {}", staging, e.toString());
    } finally {
      sweeps.incrementAndGet();
    }
  }

  /** How many periodic sweeps of {@code staging/} have run: for tests. */
  long sweeps() {
    return sweeps.get();
  }

  @Override
  public BackendInstanceId instanceId() {
    return instanceId;
  }

  /** Where the embedded download server listens, if it runs. */
  public Optional<URI> downloadServerUri() {
    return server == null ? Optional.empty() : Optional.of(server.localUri());
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    requireOpen();
    requireNonNull("organization", organization, "key", key, "content", content, "options", options);
    Path target = KeyPaths.file(organizationDirectory(organization), key);
    ObjectFile header = store(target, key, content, options);
    return new StoredBinary(new BinaryLocation(instanceId, organization, key), header.size(), header.sha256(),
        header.storedAt());
  }

  /** Streams {@code content} into a temp file, checks it, and publishes it at {@code target}. */
  private ObjectFile store(Path target, ObjectKey key, InputStream content, PutOptions options) {
    Path temp = staging.resolve(UUID.randomUUID() + TEMP_SUFFIX);
    boolean published = false;
    inFlight.add(temp);
    try {
      ObjectFile header;
      try (FileChannel out = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), FILE_MODE)) {
        header = copyAndHash(content, out, key, options);
        header.writeTo(out);
        out.force(true);
      }
      publish(temp, target);
      published = true;
      return header;
    } catch (IOException e) {
      throw unavailable("storing " + key + " failed; nothing was stored", e);
    } finally {
      if (!published) {
        deleteQuietly(temp);
      }
      inFlight.remove(temp);
    }
  }

  private ObjectFile copyAndHash(InputStream content, FileChannel out, ObjectKey key, PutOptions options)
      throws IOException {
    long declared = options.contentLength().orElse(-1);
    org.binarybackends.spi.CountingInputStream counted = new org.binarybackends.spi.CountingInputStream(content);
    MessageDigest sha256 = sha256();
    EarlyFlusher flusher = new EarlyFlusher(out, flushExecutor);
    byte[] buffer = new byte[settings.bufferSize()];
    ByteBuffer wrapped = ByteBuffer.wrap(buffer);
    long position = ObjectFile.HEADER_BYTES;
    long total = 0;
    while (true) {
      int n;
      try {
        n = counted.readNBytes(buffer, 0, buffer.length);
      } catch (IOException e) {
        throw new ContentReadException(key, counted.count(), e);
      }
      if (n == 0) {
        break;
      }
      total += n;
      if (declared >= 0 && total > declared) {
        throw IntegrityException.lengthMismatch(key, declared, total);
      }
      sha256.update(buffer, 0, n);
      wrapped.clear().limit(n);
      while (wrapped.hasRemaining()) {
        position += out.write(wrapped, position);
      }
      flusher.written(position);
    }
    flusher.finish();
    if (declared >= 0 && total != declared) {
      throw IntegrityException.lengthMismatch(key, declared, total);
    }
    Sha256Digest actual = Sha256Digest.of(sha256);
    Optional<Sha256Digest> expected = options.expectedSha256();
    if (expected.isPresent() && !expected.get().equals(actual)) {
      throw IntegrityException.digestMismatch(key, expected.get(), actual);
    }
    return new ObjectFile(total, actual, context.clock().instant());
  }

  /**
   * Renames the finished temp file to {@code target}, creating its directories. A concurrent delete
   * may remove an empty directory between its creation and the rename: then try again.
   */
  private void publish(Path temp, Path target) throws IOException {
    Path parent = target.getParent();
    for (int attempt = 1; ; attempt++) {
      createDirectoriesDurably(parent);
      checkInsideRoot(parent);
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(parent);
        return;
      } catch (NoSuchFileException e) {
        if (attempt == PUBLISH_ATTEMPTS || !Files.exists(temp)) {
          throw e;
        }
      }
    }
  }

  private void createDirectoriesDurably(Path dir) throws IOException {
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    createDirectoriesDurably(dir.getParent());
    try {
      Files.createDirectory(dir, DIRECTORY_MODE);
      fsyncDirectory(dir.getParent());
    } catch (FileAlreadyExistsException e) {
      if (Files.isSymbolicLink(dir)) {
        throw plantedLink(dir, e);
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw e;
      }
    }
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    requireOpen();
    requireNonNull("organization", organization, "key", key, "range", range);
    OpenVersion version = openVersion(organization, key);
    try {
      ByteRange.Resolved resolved = range.resolve(version.binary().size());
      return new BinaryContent(version.binary(), resolved, new ChannelRangeInputStream(version.channel(),
          ObjectFile.HEADER_BYTES + resolved.offset(), resolved.length()));
    } catch (RuntimeException e) {
      closeQuietly(version.channel());
      throw e;
    }
  }

  /**
   * One version of a binary opened for the download server: its record and the open file, whose
   * bytes start at {@link ObjectFile#HEADER_BYTES}. The descriptor pins that version even if the
   * key is replaced meanwhile, so the {@code ETag} sent and the bytes sent agree; and the server
   * can hand the channel to the kernel ({@code sendfile}). The caller closes the channel.
   */
  record OpenVersion(StoredBinary binary, FileChannel channel) {}

  OpenVersion openVersion(OrganizationId organization, ObjectKey key) {
    requireOpen();
    FileChannel channel = open(organization, key);
    try {
      return new OpenVersion(stored(organization, key, ObjectFile.readFrom(channel)), channel);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw e instanceof IOException ? unavailable("reading " + key + " failed", (IOException) e) : (RuntimeException) e;
    }
  }

  /** The download server's open connections, 0 without a server: for tests of its limits. */
  int openDownloadConnections() {
    return server == null ? 0 : server.openConnections();
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    requireOpen();
    requireNonNull("organization", organization, "key", key);
    try (FileChannel channel = open(organization, key)) {
      return stored(organization, key, ObjectFile.readFrom(channel));
    } catch (IOException e) {
      throw unavailable("reading the metadata of " + key + " failed", e);
    }
  }

  private FileChannel open(OrganizationId organization, ObjectKey key) {
    Path file = KeyPaths.file(organizationDirectory(organization), key);
    try {
      checkInsideRoot(file.getParent());
      return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new BinaryNotFoundException(instanceId, organization, key);
    } catch (IOException e) {
      if (Files.isSymbolicLink(file)) {
        throw plantedLink(file, e);
      }
      throw unavailable("opening " + key + " failed", e);
    }
  }

  private StoredBinary stored(OrganizationId organization, ObjectKey key, ObjectFile header) {
    return new StoredBinary(new BinaryLocation(instanceId, organization, key), header.size(), header.sha256(),
        header.storedAt());
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    requireOpen();
    requireNonNull("organization", organization, "key", key);
    Path orgDir = organizationDirectory(organization);
    Path file = KeyPaths.file(orgDir, key);
    try {
      checkInsideRoot(file.getParent());
      if (!Files.deleteIfExists(file)) {
        return DeleteResult.NOT_FOUND;
      }
      fsyncDirectory(file.getParent());
      // Remove the chunk directories the key leaves empty; a concurrent put may refill one.
      for (Path dir = file.getParent(); !dir.equals(orgDir); dir = dir.getParent()) {
        try {
          Files.delete(dir);
        } catch (DirectoryNotEmptyException | NoSuchFileException e) {
          break;
        }
      }
      return DeleteResult.DELETED;
    } catch (NoSuchFileException e) {
      return DeleteResult.NOT_FOUND;
    } catch (IOException e) {
      throw unavailable("deleting " + key + " failed", e);
    }
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    requireOpen();
    requireNonNull("organization", organization, "request", request);
    KeyTreeWalker walker = walker(organization, request.prefix(), request.startAfter().orElse(null));
    List<ListedBinary> page = new ArrayList<>(Math.min(request.pageSize(), 64));
    while (page.size() < request.pageSize() && walker.hasNext()) {
      page.add(walker.next().listed());
    }
    return ListPage.of(request, page, walker.hasNext());
  }

  /** One walk for the whole stream: each directory is read and sorted once, not once per page. */
  @Override
  public Stream<ListedBinary> list(OrganizationId organization, String prefix) {
    requireOpen();
    requireNonNull("organization", organization, "prefix", prefix);
    String checked = ListRequest.builder().prefix(prefix).build().prefix();
    KeyTreeWalker walker = walker(organization, checked, null);
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(walker,
        Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false).map(StoredBinary::listed);
  }

  private KeyTreeWalker walker(OrganizationId organization, String prefix, ObjectKey startAfter) {
    Path orgDir = organizationDirectory(organization);
    return new KeyTreeWalker(orgDir, prefix.getBytes(StandardCharsets.UTF_8),
        startAfter == null ? null : startAfter.utf8(), (key, file) -> {
          try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return stored(organization, key, ObjectFile.readFrom(channel));
          } catch (NoSuchFileException e) {
            return null; // deleted during the listing
          } catch (IOException e) {
            throw unavailable("listing failed reading " + key, e);
          }
        });
  }

  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    requireOpen();
    requireNonNull("organization", organization, "key", key);
    return tokens.sign(downloadBase, organization, key, ttl);
  }

  @Override
  public VerificationReport verify() {
    return new StorageVerifier(this, settings, staging, tokens, server).verify();
  }

  /** Writes, reads back and removes a probe file outside every organization's keys. */
  Sha256Digest probeRoundTrip(byte[] probe) throws IOException {
    Path target = staging.resolve(PROBE_PREFIX + UUID.randomUUID());
    inFlight.add(target);
    try {
      ObjectFile header = store(target, ObjectKey.of("verify-probe"), new java.io.ByteArrayInputStream(probe),
          PutOptions.none());
      try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
           InputStream in = new ChannelRangeInputStream(channel, ObjectFile.HEADER_BYTES, header.size())) {
        MessageDigest sha = sha256();
        sha.update(in.readAllBytes());
        Sha256Digest read = Sha256Digest.of(sha);
        if (!read.equals(header.sha256())) {
          throw new IOException("read back " + read + " but wrote " + header.sha256());
        }
        return read;
      }
    } finally {
      deleteQuietly(target);
      inFlight.remove(target);
    }
  }

  Instant now() {
    return context.clock().instant();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      if (server != null) {
        server.close();
      }
      flushExecutor.shutdown();
      sweeper.shutdownNow();
    }
  }

  private Path organizationDirectory(OrganizationId organization) {
    return KeyPaths.organizationDirectory(objects, organization);
  }

  /**
   * Refuses a path whose directories lead out of the root through a symbolic link planted in it. Names written by {@link KeyPaths} never hold a separator or {@code ..}, so only a link can.
   */
  private void checkInsideRoot(Path dir) throws IOException {
    Path real;
    try {
      real = dir.toRealPath();
    } catch (NoSuchFileException e) {
      return; // nothing there yet: nothing to follow
    }
    if (!real.startsWith(root)) {
      throw plantedLink(dir, null);
    }
  }

  private static AccessDeniedException plantedLink(Path path, Throwable cause) {
    return new AccessDeniedException(path + " leads through a symbolic link, which the storage never follows",
        List.of("a symbolic link was planted in the storage root by hand: remove it"), null, cause);
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new BackendUnavailableException("the default storage backend is closed", false, null);
    }
  }

  /** Checks pairs of (name, value): every argument is required. */
  private static void requireNonNull(Object... namesAndValues) {
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] == null) {
        throw new org.binarybackends.InvalidInputException(List.of(Violation.missing((String) namesAndValues[i],
            "a value: every argument is required")));
      }
    }
  }

  private BinaryBackendException unavailable(String what, IOException e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return new AccessDeniedException(what + " under " + settings.root(), List.of(
          "the service's user lacks permission on the directory (owner, mode, ACL)",
          "the filesystem is mounted read-only",
          "a security module (SELinux, AppArmor) denies the access"), e.getMessage(), e);
    }
    if (e instanceof ObjectFile.CorruptObjectException) {
      return new BackendUnavailableException(what + ": the object file is corrupt (" + e.getMessage() + ")", false, e);
    }
    return new BackendUnavailableException(what + ": " + e, true, e);
  }

  /** A binary's SHA-256, from the faster provider here (Amazon Corretto Crypto Provider's where it is). */
  static MessageDigest sha256() {
    return org.binarybackends.spi.CryptoProviders.sha256();
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; the rename is then as durable as they allow.
      if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
        throw e;
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Could not delete temp file {}: {}", file, e.toString());
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
