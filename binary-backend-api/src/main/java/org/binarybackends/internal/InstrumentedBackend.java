package org.binarybackends.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ServerSideCopy;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.DirectUpload;
import org.binarybackends.DirectUploads;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.OrganizationRemoval;
import org.binarybackends.PresignedPart;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.UploadedPart;
import org.binarybackends.VerificationReport;
import org.binarybackends.spi.CountingInputStream;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;

/**
 * A backend as the entry point hands it out: every operation timed and its bytes counted, by the
 * backend's type and the outcome, and run with the organization and the backend instance in SLF4J's
 * MDC (the caller's values put back afterwards). Whatever a provider builds, its own or a third
 * party's, is measured the same way here, once; a backend reports only what happens inside it
 * (signatures, caches, sessions) through {@link org.binarybackends.spi.BackendContext#instrumentation()}.
 *
 * <p>A read's timer measures the time to open it (the first byte ready); its bytes are counted when
 * its stream is closed, as far as the caller read.
 */
public final class InstrumentedBackend implements BinaryBackend {
  private final BinaryBackend delegate;
  private final Instrumentation meters;
  private final String instance;
  private final MetricTags byType;

  private InstrumentedBackend(BinaryBackend delegate, Instrumentation meters, String type) {
    this.delegate = delegate;
    this.meters = meters;
    BackendInstanceId id = delegate.instanceId();
    this.instance = id.toString();
    this.byType = MetricTags.of("backend.type", type);
  }

  /**
   * {@code backend} measured into {@code meters} (and with the MDC set even if they are none).
   *
   * @param type the type of the provider that built it, the {@code backend.type} tag: a CloudFront
   *     backend's instance is its bucket's ({@code s3}), its type {@code cloudfront}
   */
  public static BinaryBackend of(BinaryBackend backend, Instrumentation meters, String type) {
    if (backend instanceof InstrumentedBackend) {
      return backend;
    }
    return new InstrumentedBackend(backend, meters, type);
  }

  /** The backend measured, as built. */
  public BinaryBackend delegate() {
    return delegate;
  }

  // ---- the MDC ----

  /** The operation's MDC (see {@link LogContext}) and when it started. */
  private final class Scope implements AutoCloseable {
    private final LogContext log;
    private final long startedAt = System.nanoTime();

    Scope(OrganizationId organization) {
      log = LogContext.of(organization, instance);
    }

    long elapsed() {
      return System.nanoTime() - startedAt;
    }

    @Override
    public void close() {
      log.close();
    }
  }

  /** Runs {@code operation} in the MDC of {@code organization}, timed under {@code binary.backend.<name>}. */
  private <T> T timed(String name, String description, OrganizationId organization, Supplier<T> operation) {
    Throwable failure = null;
    try (Scope scope = new Scope(organization)) {
      try {
        return operation.get();
      } catch (RuntimeException | Error e) {
        failure = e;
        throw e;
      } finally {
        record(name, description, failure, scope.elapsed());
      }
    }
  }

  private void record(String name, String description, Throwable failure, long nanos) {
    meters.timer("binary.backend." + name, description, outcome(failure)).record(nanos);
  }

  private MetricTags outcome(Throwable failure) {
    return byType.and("outcome", Outcomes.of(failure));
  }

  // ---- operations ----

  @Override
  public BackendInstanceId instanceId() {
    return delegate.instanceId();
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    CountingInputStream counted = content == null ? null : new CountingInputStream(content);
    Throwable failure = null;
    try (Scope scope = new Scope(organization)) {
      try {
        return delegate.put(organization, key, counted, options);
      } catch (RuntimeException | Error e) {
        failure = e;
        throw e;
      } finally {
        record("put", "Puts of binaries, from the first byte read to stored (or failed)", failure, scope.elapsed());
        if (counted != null) {
          meters.counter("binary.backend.put.bytes", "Bytes read from the content of puts", "bytes", outcome(failure))
              .increment(counted.count());
        }
      }
    }
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    BinaryContent opened = timed("read", "Reads of binaries, to the first byte ready", organization,
        () -> delegate.read(organization, key, range));
    return new BinaryContent(opened.binary(), opened.range(), new CountedRead(opened.stream()));
  }

  /** Counts what the caller reads (a {@link CountingInputStream}); adds it to the read bytes once, at close. */
  private final class CountedRead extends FilterInputStream {
    private final CountingInputStream counting;
    private boolean closed;

    CountedRead(InputStream in) {
      this(new CountingInputStream(in));
    }

    private CountedRead(CountingInputStream counting) {
      super(counting);
      this.counting = counting;
    }

    /** The backend's own transfer (a file channel's, say), not a copy through {@code read}. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
      return counting.transferTo(out);
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        if (!closed) {
          closed = true;
          meters.counter("binary.backend.read.bytes", "Bytes read from binaries by callers", "bytes", byType)
              .increment(counting.count());
        }
      }
    }
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    return timed("stat", "Stats of binaries", organization, () -> delegate.stat(organization, key));
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    return timed("delete", "Deletes of binaries", organization, () -> delegate.delete(organization, key));
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    return timed("list", "Pages of binaries listed", organization, () -> delegate.list(organization, request));
  }

  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    return timed("sign", "Download URLs signed", organization, () -> delegate.signDownloadUrl(organization, key, ttl));
  }

  @Override
  public VerificationReport verify() {
    return timed("verify", "Verifications of a backend's configuration", null, delegate::verify);
  }

  @Override
  public OrganizationRemoval removeOrganization(OrganizationId organization, boolean dryRun,
      Consumer<ListedBinary> each) {
    return timed("remove.organization", "Removals of an organization's binaries", organization,
        () -> delegate.removeOrganization(organization, dryRun, each));
  }

  /** The copier of what it measures, each copy timed under {@code binary.backend.copy} and in the MDC. */
  @Override
  public Optional<ServerSideCopy> serverSideCopyFrom(BinaryBackend source) {
    return delegate.serverSideCopyFrom(source).map(copier -> (organization, key, expected) -> timed("copy",
        "Copies of binaries inside the storage (a migration's server-side copies), to verified", organization,
        () -> copier.copy(organization, key, expected)));
  }

  @Override
  public <T> Optional<T> unwrap(Class<T> type) {
    return type.isInstance(this) ? Optional.of(type.cast(this)) : delegate.unwrap(type);
  }

  @Override
  public Optional<DirectUploads> directUploads() {
    return delegate.directUploads().map(MeasuredDirectUploads::new);
  }

  /** Direct uploads: starts and completions counted by outcome, each call in the MDC. */
  private final class MeasuredDirectUploads implements DirectUploads {
    private final DirectUploads uploads;

    MeasuredDirectUploads(DirectUploads uploads) {
      this.uploads = uploads;
    }

    private <T> T counted(String name, String description, OrganizationId organization, Supplier<T> call) {
      Throwable failure = null;
      Scope scope = new Scope(organization);
      try {
        return call.get();
      } catch (RuntimeException | Error e) {
        failure = e;
        throw e;
      } finally {
        scope.close();
        meters.counter("binary.backend.direct.upload." + name, description, null, outcome(failure)).increment();
      }
    }

    @Override
    public DirectUpload start(OrganizationId organization, ObjectKey key, long size, Sha256Digest sha256) {
      return counted("starts", "Direct uploads started", organization, () -> uploads.start(organization, key, size, sha256));
    }

    @Override
    public PresignedPart presignPart(DirectUpload upload, int partNumber, Sha256Digest partSha256, Duration ttl) {
      Scope scope = new Scope(organizationOf(upload));
      try {
        return uploads.presignPart(upload, partNumber, partSha256, ttl);
      } finally {
        scope.close();
      }
    }

    @Override
    public List<UploadedPart> uploadedParts(DirectUpload upload) {
      Scope scope = new Scope(organizationOf(upload));
      try {
        return uploads.uploadedParts(upload);
      } finally {
        scope.close();
      }
    }

    @Override
    public StoredBinary complete(DirectUpload upload) {
      return counted("completions", "Direct uploads completed (or refused at completion)", organizationOf(upload),
          () -> uploads.complete(upload));
    }

    @Override
    public void abort(DirectUpload upload) {
      Scope scope = new Scope(organizationOf(upload));
      try {
        uploads.abort(upload);
      } finally {
        scope.close();
      }
    }

    @Override
    public String toString() {
      return uploads.toString();
    }
  }

  private static OrganizationId organizationOf(DirectUpload upload) {
    return upload == null ? null : upload.location().organization();
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
