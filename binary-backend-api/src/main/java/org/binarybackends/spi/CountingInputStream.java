package org.binarybackends.spi;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts the bytes a stream gives (read or skipped), so that a backend whose put reads the caller's
 * content in large blocks can say exactly how far it got when the stream failed ({@link
 * org.binarybackends.ContentReadException#bytesRead()}): a block read that throws half-way loses
 * the count of what it had read. Not thread-safe, as the stream it wraps.
 */
public final class CountingInputStream extends FilterInputStream {
  private long count;

  public CountingInputStream(InputStream in) {
    super(in);
  }

  /** The bytes given so far. */
  public long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      count++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      count += n;
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = super.skip(n);
    count += Math.max(skipped, 0);
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false; // a reset would make the count wrong
  }

  /** The source's own transfer (a file channel's, say), counted, rather than a copy through {@code read}. */
  @Override
  public long transferTo(java.io.OutputStream out) throws IOException {
    long n = in.transferTo(out);
    count += n;
    return n;
  }
}
