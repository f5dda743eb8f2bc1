package org.binarybackends.activation.internal;


import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;

/**
 * A backend of the {@link BackendPool}, counting the calls in flight (a read counts until its
 * stream is closed) so that a replaced backend is closed only when the last one ends, or when its
 * grace time has passed. Thread-safe.
 */
final class PooledBackend implements BinaryBackend {
  private final BinaryBackend delegate;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Instant retireBy;

  PooledBackend(BinaryBackend delegate) {
    this.delegate = delegate;
  }

  boolean usable() {
    return !closed.get() && retireBy == null;
  }

  boolean closed() {
    return closed.get();
  }

  int inFlight() {
    return inFlight.get();
  }

  /** Closes once no call is in flight, or at {@code deadline} whatever is still running. */
  void retire(Instant deadline) {
    retireBy = deadline;
    if (inFlight.get() == 0) {
      closeNow();
    }
  }

  /** Closes it if retired and its deadline has passed. */
  void sweep(Instant now) {
    Instant by = retireBy;
    if (by != null && !now.isBefore(by)) {
      closeNow();
    }
  }

  private void enter() {
    inFlight.incrementAndGet();
    if (closed.get()) {
      exit();
      throw new BackendUnavailableException("backend " + delegate.instanceId()
          + " was replaced and closed; resolve again", true, null);
    }
  }

  private void exit() {
    if (inFlight.decrementAndGet() == 0 && retireBy != null) {
      closeNow();
    }
  }

  private void closeNow() {
    if (closed.compareAndSet(false, true)) {
      delegate.close();
    }
  }

  @Override
  public BackendInstanceId instanceId() {
    return delegate.instanceId();
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    enter();
    try {
      return delegate.put(organization, key, content, options);
    } finally {
      exit();
    }
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    enter();
    BinaryContent content;
    try {
      content = delegate.read(organization, key, range);
    } catch (RuntimeException e) {
      exit();
      throw e;
    }
    AtomicBoolean done = new AtomicBoolean();
    return new BinaryContent(content.binary(), content.range(), new FilterInputStream(content.stream()) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          if (done.compareAndSet(false, true)) {
            exit();
          }
        }
      }
    });
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    enter();
    try {
      return delegate.stat(organization, key);
    } finally {
      exit();
    }
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    enter();
    try {
      return delegate.delete(organization, key);
    } finally {
      exit();
    }
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    enter();
    try {
      return delegate.list(organization, request);
    } finally {
      exit();
    }
  }

  /** The backend's own direct uploads: they act on the storage, and need no in-flight counting of a call. */
  @Override
  public java.util.Optional<org.binarybackends.DirectUploads> directUploads() {
    return delegate.directUploads();
  }

  /** The backend's own copier; each copy keeps the backend open while it runs, as a call does. */
  @Override
  public java.util.Optional<org.binarybackends.ServerSideCopy> serverSideCopyFrom(BinaryBackend source) {
    return delegate.serverSideCopyFrom(source).map(copier -> (organization, key, expected) -> {
      enter();
      try {
        return copier.copy(organization, key, expected);
      } finally {
        exit();
      }
    });
  }

  @Override
  public <T> java.util.Optional<T> unwrap(Class<T> type) {
    return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : delegate.unwrap(type);
  }

  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    enter();
    try {
      return delegate.signDownloadUrl(organization, key, ttl);
    } finally {
      exit();
    }
  }

  @Override
  public VerificationReport verify() {
    enter();
    try {
      return delegate.verify();
    } finally {
      exit();
    }
  }

  /** Pooled backends are closed by their pool, never by a caller. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "PooledBackend{" + delegate.instanceId() + ", inFlight=" + inFlight.get() + (retireBy == null ? ""
        : ", retiring by " + retireBy) + (closed.get() ? ", closed" : "") + "}";
  }
}
