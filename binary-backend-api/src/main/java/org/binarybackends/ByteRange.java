package org.binarybackends;

/**
 * Which bytes of a binary to read: all, from an offset to the end, an inclusive span, or the last
 * n bytes, as an HTTP {@code Range} can say. Immutable.
 *
 * <p>A span whose end lies beyond the binary is cut at its end (as HTTP does); one that starts at
 * or beyond the end is not satisfiable: {@link #resolve(long)} throws
 * {@link RangeNotSatisfiableException}, except that the whole of an empty binary is its empty
 * range.
 */
public final class ByteRange {
  private static final ByteRange ALL = new ByteRange(0, -1, -1);

  private final long first;
  private final long last; // inclusive; -1 = to the end
  private final long suffix; // > 0 = the last `suffix` bytes; -1 otherwise

  private ByteRange(long first, long last, long suffix) {
    this.first = first;
    this.last = last;
    this.suffix = suffix;
  }

  /** The whole binary. */
  public static ByteRange all() {
    return ALL;
  }

  /** From byte {@code first} (0-based) to the end. */
  public static ByteRange from(long first) {
    if (first < 0) {
      throw InvalidInputException.of("range.first", Long.toString(first), "a byte offset >= 0");
    }
    return first == 0 ? ALL : new ByteRange(first, -1, -1);
  }

  /** Bytes {@code first} to {@code last}, both included and 0-based, like {@code bytes=first-last}. */
  public static ByteRange of(long first, long last) {
    if (first < 0) {
      throw InvalidInputException.of("range.first", Long.toString(first), "a byte offset >= 0");
    }
    if (last < first) {
      throw InvalidInputException.of("range.last", Long.toString(last), "an offset >= first (" + first + ")");
    }
    return new ByteRange(first, last, -1);
  }

  /** The last {@code length} bytes, like {@code bytes=-length}. */
  public static ByteRange suffix(long length) {
    if (length <= 0) {
      throw InvalidInputException.of("range.suffix", Long.toString(length), "a length > 0");
    }
    return new ByteRange(0, -1, length);
  }

  /** Whether this is the whole binary. */
  public boolean isAll() {
    return this == ALL;
  }

  /**
   * The first byte this range reads from a binary of {@code size} bytes.
   *
   * @throws RangeNotSatisfiableException if it starts at or beyond the end
   */
  public Resolved resolve(long size) {
    if (isAll()) {
      return new Resolved(0, size);
    }
    long start = suffix > 0 ? Math.max(0, size - suffix) : first;
    if (start >= size) {
      throw new RangeNotSatisfiableException(this, size);
    }
    long end = last < 0 || last >= size ? size - 1 : last;
    return new Resolved(start, end - start + 1);
  }

  /** The HTTP form, {@code bytes=0-99}, {@code bytes=100-} or {@code bytes=-100}; none for all. */
  public String toHttpHeader() {
    if (suffix > 0) {
      return "bytes=-" + suffix;
    }
    return "bytes=" + first + "-" + (last < 0 ? "" : Long.toString(last));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteRange && ((ByteRange) o).first == first && ((ByteRange) o).last == last
        && ((ByteRange) o).suffix == suffix;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(first) * 31 * 31 + Long.hashCode(last) * 31 + Long.hashCode(suffix);
  }

  @Override
  public String toString() {
    return isAll() ? "all" : toHttpHeader();
  }

  /**
   * A range applied to a binary of known size.
   *
   * @param offset the first byte read
   * @param length how many bytes are read (0 only for the whole of an empty binary)
   */
  public record Resolved(long offset, long length) {
    /** The last byte read, inclusive, as {@code Content-Range} writes it. */
    public long lastByte() {
      return offset + length - 1;
    }
  }
}
