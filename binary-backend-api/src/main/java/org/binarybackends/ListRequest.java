package org.binarybackends;

import java.util.Optional;

/**
 * One page of a listing: keys under a prefix, after a key, at most so many. Immutable; built by
 * {@link #builder()}.
 */
public final class ListRequest {
  /** The most keys one page may hold, as S3's {@code ListObjectsV2} returns. */
  public static final int MAX_PAGE_SIZE = 1000;

  private final String prefix;
  private final ObjectKey startAfter;
  private final int pageSize;

  private ListRequest(Builder b) {
    this.prefix = b.prefix;
    this.startAfter = b.startAfter;
    this.pageSize = b.pageSize;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All keys, first page. */
  public static ListRequest all() {
    return builder().build();
  }

  /** The keys' common prefix; {@code ""} for all keys. */
  public String prefix() {
    return prefix;
  }

  /** List only keys ordered after this one (the previous page's last key). */
  public Optional<ObjectKey> startAfter() {
    return Optional.ofNullable(startAfter);
  }

  /** At most this many keys, 1 to {@value #MAX_PAGE_SIZE}. */
  public int pageSize() {
    return pageSize;
  }

  /** Whether {@code key} belongs in this page's range: under the prefix and after startAfter. */
  public boolean admits(ObjectKey key) {
    return key.startsWith(prefix) && (startAfter == null || key.compareTo(startAfter) > 0);
  }

  /** The request for the page after one that ended with {@code lastKey}. */
  public ListRequest next(ObjectKey lastKey) {
    return builder().prefix(prefix).startAfter(lastKey).pageSize(pageSize).build();
  }

  @Override
  public String toString() {
    return "ListRequest{prefix=" + prefix + ", startAfter=" + startAfter + ", pageSize=" + pageSize + "}";
  }

  /** Builds a {@link ListRequest}; each setter validates at once. Not thread-safe. */
  public static final class Builder {
    private String prefix = "";
    private ObjectKey startAfter;
    private int pageSize = MAX_PAGE_SIZE;

    private Builder() {}

    /**
     * Only keys starting with {@code prefix}; {@code ""} (the default) for all.
     *
     * @throws InvalidInputException if the prefix could start no valid key
     */
    public Builder prefix(String prefix) {
      this.prefix = ObjectKey.checkPrefix(prefix);
      return this;
    }

    /** Only keys ordered after {@code key}; {@code null} to start at the beginning. */
    public Builder startAfter(ObjectKey key) {
      this.startAfter = key;
      return this;
    }

    /**
     * At most {@code size} keys per page.
     *
     * @throws InvalidInputException unless 1 to {@value ListRequest#MAX_PAGE_SIZE}
     */
    public Builder pageSize(int size) {
      if (size < 1 || size > MAX_PAGE_SIZE) {
        throw InvalidInputException.of("pageSize", Integer.toString(size), "1 to " + MAX_PAGE_SIZE);
      }
      this.pageSize = size;
      return this;
    }

    public ListRequest build() {
      return new ListRequest(this);
    }
  }
}
