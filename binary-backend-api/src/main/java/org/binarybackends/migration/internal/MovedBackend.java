package org.binarybackends.migration.internal;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.DirectUploads;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ListPage;
import org.binarybackends.ListRequest;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.VerificationReport;

/**
 * What {@code BinaryBackends.forBinary} hands out for a location in an instance whose binaries were
 * moved: the target's backend, which holds them, falling back to the source's for a binary the
 * target lacks (one stored at the source after the move: a direct upload finishing late, uploads
 * routed there again). A delete deletes in both, so nothing moved comes back.
 */
public final class MovedBackend implements BinaryBackend {
  private final BinaryBackend target;
  private final Supplier<BinaryBackend> source;

  /** @param source the source's backend, resolved on demand (it throws if the source was forgotten) */
  public MovedBackend(BinaryBackend target, Supplier<BinaryBackend> source) {
    this.target = target;
    this.source = source;
  }

  private Optional<BinaryBackend> source() {
    try {
      return Optional.of(source.get());
    } catch (InvalidInputException e) {
      return Optional.empty(); // forgotten since: the target is all there is
    }
  }

  @Override
  public BackendInstanceId instanceId() {
    return target.instanceId();
  }

  @Override
  public StoredBinary put(OrganizationId organization, ObjectKey key, InputStream content, PutOptions options) {
    return target.put(organization, key, content, options);
  }

  @Override
  public BinaryContent read(OrganizationId organization, ObjectKey key, ByteRange range) {
    try {
      return target.read(organization, key, range);
    } catch (BinaryNotFoundException e) {
      return source().orElseThrow(() -> e).read(organization, key, range);
    }
  }

  @Override
  public StoredBinary stat(OrganizationId organization, ObjectKey key) {
    try {
      return target.stat(organization, key);
    } catch (BinaryNotFoundException e) {
      return source().orElseThrow(() -> e).stat(organization, key);
    }
  }

  @Override
  public DeleteResult delete(OrganizationId organization, ObjectKey key) {
    DeleteResult atTarget = target.delete(organization, key);
    Optional<BinaryBackend> s = source();
    DeleteResult atSource = s.isPresent() ? s.get().delete(organization, key) : DeleteResult.NOT_FOUND;
    return atTarget == DeleteResult.DELETED || atSource == DeleteResult.DELETED ? DeleteResult.DELETED
        : DeleteResult.NOT_FOUND;
  }

  @Override
  public ListPage list(OrganizationId organization, ListRequest request) {
    return target.list(organization, request);
  }

  @Override
  public SignedUrl signDownloadUrl(OrganizationId organization, ObjectKey key, Duration ttl) {
    try {
      target.stat(organization, key);
    } catch (BinaryNotFoundException e) {
      Optional<BinaryBackend> s = source();
      if (s.isPresent()) {
        return s.get().signDownloadUrl(organization, key, ttl);
      }
    }
    return target.signDownloadUrl(organization, key, ttl);
  }

  @Override
  public Optional<DirectUploads> directUploads() {
    return target.directUploads();
  }

  @Override
  public VerificationReport verify() {
    return target.verify();
  }

  /** Closes nothing: both backends are the entry point's. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "MovedBackend{" + target + "}";
  }
}
