package org.binarybackends;

import java.io.InputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A place where organizations' binaries are stored: the platform's default storage or an
 * organization's own bucket. Created by a {@link org.binarybackends.spi.BinaryBackendProvider}.
 *
 * <p><b>Thread-safety:</b> every implementation is safe for use by many threads at once; one
 * instance is meant to be shared. <b>Lifecycle:</b> it holds resources (connections, threads,
 * files) until {@link #close()}; calls after close fail with {@link BackendUnavailableException}
 * (not retryable).
 *
 * <p><b>Errors:</b> every method throws only {@link BinaryBackendException} subtypes on purpose:
 * {@link InvalidInputException} for a bad argument (nothing done), {@link BinaryNotFoundException},
 * {@link IntegrityException}, {@link AccessDeniedException}, {@link BackendUnavailableException}.
 * Arguments are never {@code null}.
 */
public interface BinaryBackend extends AutoCloseable {

  /** The instance this backend is: the configuration that holds its bytes. */
  BackendInstanceId instanceId();

  /**
   * Stores {@code content} under {@code key} for {@code organization}, streaming it in constant
   * memory whatever its length, and computing its SHA-256 on the way. Replaces an earlier version
   * atomically: a reader sees the old version or the new one, never a mix. If anything fails (the
   * stream throws, the digest or the declared length does not match), nothing is stored and an
   * earlier version stays intact. Concurrent puts of one key end with exactly one of them stored.
   * Does not close {@code content}.
   *
   * @return the stored version, with its digest and location
   * @throws IntegrityException if the SHA-256 or the length differs from {@code options}
   */
  StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options);

  /** {@link #put(OrganizationId, ObjectKey, InputStream, PutOptions)} with no expectations. */
  default StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content) {
    return put(organization, key, content, PutOptions.none());
  }

  /**
   * Opens {@code range} of the binary stored under {@code key} for reading. The stream and the
   * metadata belong to one version, even if the key is overwritten while it is read.
   *
   * @throws BinaryNotFoundException if nothing is stored under the key
   * @throws RangeNotSatisfiableException if the range starts beyond the binary's end
   */
  BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range);

  /** The whole binary: {@link #read(OrganizationId, ObjectKey, ByteRange)} with {@link ByteRange#all()}. */
  default BinaryContent read(OrganizationId organization, ObjectKey key) {
    return read(organization, key, ByteRange.all());
  }

  /**
   * The binary stored under {@code key}, without its bytes.
   *
   * @throws BinaryNotFoundException if nothing is stored under the key
   */
  StoredBinary stat(OrganizationId organization, ObjectKey key);

  /**
   * Removes the binary stored under {@code key}. Idempotent: deleting what is not there is not an
   * error, and the result says so.
   */
  DeleteResult delete(OrganizationId organization, ObjectKey key);

  /**
   * One page of {@code organization}'s binaries, in UTF-8 byte order of their keys, without their
   * digests ({@link #stat} has it).
   */
  ListPage list(OrganizationId organization, ListRequest request);

  /**
   * All of {@code organization}'s binaries whose key starts with {@code prefix}, in UTF-8 byte order,
   * fetched lazily page by page as the stream is consumed. Binaries stored or deleted during the
   * listing may or may not appear.
   *
   * @throws InvalidInputException if the prefix could start no valid key
   */
  default Stream<ListedBinary> list(OrganizationId organization, String prefix) {
    ListRequest first = ListRequest.builder().prefix(prefix).build();
    Iterator<ListedBinary> pages = new Iterator<>() {
      private Optional<ListRequest> next = Optional.of(first);
      private Iterator<ListedBinary> current = List.<ListedBinary>of().iterator();

      @Override
      public boolean hasNext() {
        while (!current.hasNext() && next.isPresent()) {
          ListPage page = list(organization, next.get());
          current = page.binaries().iterator();
          next = page.next();
        }
        return current.hasNext();
      }

      @Override
      public ListedBinary next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return current.next();
      }
    };
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages,
        Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
  }

  /**
   * A URL that downloads the binary stored under {@code key} without further credentials, until it
   * expires. Does not check that the binary exists (a download of a missing one answers 404).
   *
   * @param ttl how long the URL should work; the backend may end it earlier, never later, and
   *     {@link SignedUrl#expiresAt()} says when it really ends
   * @throws InvalidInputException if {@code ttl} is zero, negative or above the backend's maximum
   */
  SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl);

  /**
   * Uploads clients make straight to this backend through presigned part URLs, if it offers them
   * (an object store does; the default storage does not).
   */
  default java.util.Optional<DirectUploads> directUploads() {
    return java.util.Optional.empty();
  }

  /**
   * A copier of binaries from {@code source} into this backend inside the storage, the bytes never
   * passing through this process, if this backend's own identity can read the source where it is
   * (for S3: two buckets, or two prefixes, reached through the same customer role on the same
   * service); empty (the default) if it cannot, or cannot tell: the caller then reads from the
   * source and puts here. A wrapper passes it on to what it wraps only if it adds nothing a copy
   * would bypass (a quota does).
   */
  default java.util.Optional<ServerSideCopy> serverSideCopyFrom(BinaryBackend source) {
    java.util.Objects.requireNonNull(source, "source");
    return java.util.Optional.empty();
  }

  /**
   * This backend, or the one it wraps, as a {@code type}, if it is one (as {@code java.sql.Wrapper}
   * does for JDBC): how a backend recognises another of its own kind through the library's wrappers
   * (metering, pooling, CloudFront in front of a bucket). A wrapper answers itself if it is a {@code
   * type}, else what it wraps answers; the default answers this backend or nothing.
   */
  default <T> java.util.Optional<T> unwrap(Class<T> type) {
    java.util.Objects.requireNonNull(type, "type");
    return type.isInstance(this) ? java.util.Optional.of(type.cast(this)) : java.util.Optional.empty();
  }

  /**
   * Removes everything this backend keeps for {@code organization} (an organization leaving the
   * platform's storage): every binary, and where the backend can tell them apart, its uploads in
   * flight and records; or, with {@code dryRun}, removes nothing and reports what would go. Each
   * binary is passed to {@code each} as it goes (or would), in key order, so that a caller can list
   * or log them in constant memory. Safe to run again after a failure: what is gone stays gone.
   * Uploads arriving meanwhile may stay: stop them first.
   *
   * <p>The default lists the organization's binaries and deletes them one by one; a backend with a
   * place of its own per organization does better.
   */
  default OrganizationRemoval removeOrganization(OrganizationId organization, boolean dryRun,
      java.util.function.Consumer<ListedBinary> each) {
    java.util.Objects.requireNonNull(each, "each");
    long[] total = new long[2];
    try (Stream<ListedBinary> all = list(organization, "")) {
      all.forEach(b -> {
        each.accept(b);
        if (dryRun || delete(organization, b.key()) == DeleteResult.DELETED) {
          total[0]++;
          total[1] += b.size();
        }
      });
    }
    return new OrganizationRemoval(organization, instanceId(), dryRun, total[0], total[1], 0);
  }

  /**
   * Checks that this backend really works, end to end, without touching any organization's
   * binaries: every check is reported, passed or failed with a reason a person can act on. Never
   * throws for a failed check.
   */
  VerificationReport verify();

  /** Releases the backend's resources; idempotent; throws nothing checked. */
  @Override
  void close();
}
