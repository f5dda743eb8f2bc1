package org.binarybackends.testkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryLocation;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListedBinary;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;
import org.binarybackends.spi.BinaryBackendProvider;
import org.binarybackends.spi.SettingsReader;

/**
 * A backend (type {@code controlled}) whose {@code verify()} a test decides: pass, fail for a
 * reason a person must fix, or fail for a reason that may pass later. For tests of activation and
 * resolution. Settings: {@code {"type":"controlled","name":"bucket-1"}}; the name is the instance
 * (like a bucket): every backend built with one name shares its bytes, as two clients of one bucket
 * would. Bytes are kept in memory: small binaries only. Register this provider explicitly
 * ({@code BinaryBackendRegistry.of(provider)}); it is not found by ServiceLoader. Thread-safe.
 */
public final class ControlledBackendProvider implements BinaryBackendProvider<ControlledBackendProvider.Settings> {
  private final Map<String, Controls> controls = new ConcurrentHashMap<>();
  private final AtomicInteger built = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();

  /** A provider whose instances all pass verification until told otherwise. */
  public ControlledBackendProvider() {}

  /** Settings: just a name. */
  public record Settings(String name) implements BackendSettings {
    @Override
    public String type() {
      return "controlled";
    }

    @Override
    public BackendInstanceId instanceId() {
      return BackendInstanceId.of("controlled", Map.of("name", name));
    }
  }

  /** The settings JSON of the instance {@code name}. */
  public static String settingsJson(String name) {
    return "{\"type\":\"controlled\",\"name\":\"" + name + "\"}";
  }

  /** What the instance {@code name} answers and holds. */
  public Controls control(String name) {
    return controls.computeIfAbsent(name, n -> new Controls());
  }

  /** How many backends were built, and closed, so far. */
  public int built() {
    return built.get();
  }

  public int closed() {
    return closed.get();
  }

  /** The verdict and the bytes of one instance. */
  public static final class Controls {
    private volatile Check verdict = Check.passed("controlled", "passes as the test decided");
    private final NavigableMap<String, Blob> blobs = new ConcurrentSkipListMap<>();
    private final AtomicInteger verifications = new AtomicInteger();
    private volatile java.util.concurrent.CountDownLatch hold;

    private Controls() {}

    /** Verification passes. */
    public Controls pass() {
      verdict = Check.passed("controlled", "passes as the test decided");
      return this;
    }

    /** Verification passes with a warning (a role without a permission it can work around). */
    public Controls passWithWarning(String warning) {
      verdict = Check.warning("controlled", warning);
      return this;
    }

    /** Verification fails for a reason a person must fix. */
    public Controls fail(String reason) {
      verdict = Check.failed("controlled", reason, false);
      return this;
    }

    /** Verification fails for a reason that may pass unchanged later. */
    public Controls failRetryably(String reason) {
      verdict = Check.failed("controlled", reason, true);
      return this;
    }

    public int verifications() {
      return verifications.get();
    }

    /** Verification waits until {@code release} is counted down, as a storage that does not answer would. */
    public Controls holdVerificationUntil(java.util.concurrent.CountDownLatch release) {
      hold = release;
      return this;
    }
  }

  private record Blob(byte[] bytes, Sha256Digest sha256, Instant storedAt) {}

  @Override
  public String type() {
    return "controlled";
  }

  @Override
  public Class<Settings> settingsType() {
    return Settings.class;
  }

  @Override
  public Settings readSettings(SettingsReader json) {
    json.skip("type");
    String name = json.requiredString("name", "a name");
    return json.finish(() -> new Settings(name));
  }

  @Override
  public BinaryBackend create(Settings settings, BackendContext context) {
    built.incrementAndGet();
    return new Controlled(settings, control(settings.name()), context.clock());
  }

  private final class Controlled implements BinaryBackend {
    private final Settings settings;
    private final Controls controls;
    private final Clock clock;
    private final AtomicBoolean isClosed = new AtomicBoolean();

    Controlled(Settings settings, Controls controls, Clock clock) {
      this.settings = settings;
      this.controls = controls;
      this.clock = clock;
    }

    private void open() {
      if (isClosed.get()) {
        throw new BackendUnavailableException("controlled backend " + settings.name() + " is closed", false, null);
      }
    }

    private String path(OrganizationId org, ObjectKey key) {
      return org.value() + "/" + key.value();
    }

    @Override
    public BackendInstanceId instanceId() {
      return settings.instanceId();
    }

    @Override
    public StoredBinary put(OrganizationId org, ObjectKey key, InputStream content, PutOptions options) {
      open();
      byte[] bytes;
      try {
        bytes = content.readAllBytes();
      } catch (IOException e) {
        throw new BinaryBackendException("reading the content failed; nothing was stored", e);
      }
      Sha256Digest digest;
      try {
        digest = Sha256Digest.of(MessageDigest.getInstance("SHA-256").digest(bytes));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      if (options.contentLength().isPresent() && options.contentLength().getAsLong() != bytes.length) {
        throw IntegrityException.lengthMismatch(key, options.contentLength().getAsLong(), bytes.length);
      }
      if (options.expectedSha256().isPresent() && !options.expectedSha256().get().equals(digest)) {
        throw IntegrityException.digestMismatch(key, options.expectedSha256().get(), digest);
      }
      Blob blob = new Blob(bytes, digest, clock.instant());
      controls.blobs.put(path(org, key), blob);
      return stored(org, key, blob);
    }

    private StoredBinary stored(OrganizationId org, ObjectKey key, Blob b) {
      return new StoredBinary(new BinaryLocation(instanceId(), org, key), b.bytes().length, b.sha256(), b.storedAt());
    }

    private Blob blob(OrganizationId org, ObjectKey key) {
      Blob b = controls.blobs.get(path(org, key));
      if (b == null) {
        throw new BinaryNotFoundException(instanceId(), org, key);
      }
      return b;
    }

    @Override
    public BinaryContent read(OrganizationId org, ObjectKey key, ByteRange range) {
      open();
      Blob b = blob(org, key);
      ByteRange.Resolved r = range.resolve(b.bytes().length);
      return new BinaryContent(stored(org, key, b), r,
          new ByteArrayInputStream(b.bytes(), (int) r.offset(), (int) r.length()));
    }

    @Override
    public StoredBinary stat(OrganizationId org, ObjectKey key) {
      open();
      return stored(org, key, blob(org, key));
    }

    @Override
    public DeleteResult delete(OrganizationId org, ObjectKey key) {
      open();
      return controls.blobs.remove(path(org, key)) == null ? DeleteResult.NOT_FOUND : DeleteResult.DELETED;
    }

    @Override
    public ListPage list(OrganizationId org, ListRequest request) {
      open();
      List<ListedBinary> all = new ArrayList<>();
      String prefix = org.value() + "/";
      controls.blobs.tailMap(prefix).entrySet().stream().takeWhile(e -> e.getKey().startsWith(prefix))
          .forEach(e -> {
            ObjectKey key = ObjectKey.of(e.getKey().substring(prefix.length()));
            if (request.admits(key)) {
              all.add(stored(org, key, e.getValue()).listed());
            }
          });
      all.sort((a, b) -> a.key().compareTo(b.key()));
      boolean more = all.size() > request.pageSize();
      return ListPage.of(request, more ? all.subList(0, request.pageSize()) : all, more);
    }

    @Override
    public SignedUrl signDownloadUrl(OrganizationId org, ObjectKey key, Duration ttl) {
      open();
      if (ttl == null || ttl.isNegative() || ttl.isZero()) {
        throw InvalidInputException.of("ttl", String.valueOf(ttl), "a positive duration");
      }
      Instant expires = clock.instant().plus(ttl);
      return new SignedUrl(URI.create("controlled://" + settings.name() + "/" + path(org, key).replace(" ", "%20")
          + "?expires=" + expires.getEpochSecond()), expires);
    }

    @Override
    public VerificationReport verify() {
      open();
      controls.verifications.incrementAndGet();
      java.util.concurrent.CountDownLatch h = controls.hold;
      if (h != null) {
        try {
          h.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new VerificationReport(instanceId(), clock.instant(), List.of(controls.verdict));
    }

    @Override
    public void close() {
      if (isClosed.compareAndSet(false, true)) {
        closed.incrementAndGet();
      }
    }
  }

  /** Whether a backend of {@code name} holds a binary of {@code org} under {@code key}. */
  public Optional<byte[]> bytes(String name, OrganizationId org, ObjectKey key) {
    return Optional.ofNullable(control(name).blobs.get(org.value() + "/" + key.value())).map(Blob::bytes);
  }
}
