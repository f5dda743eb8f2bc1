package org.binarybackends.testkit;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams the contracts put through backends (a slow network's, a bounded one, a dropped upload's)
 * and the HTTP client their clients send with.
 */
final class ContractStreams {
  /** A client's HTTP: one for every contract test, as a fleet's devices each have their own. */
  static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

  private ContractStreams() {}

  /** Yields at most {@code piece} bytes per read, as a slow network would. */
  static final class TrickleStream extends FilterInputStream {
    private final int piece;

    TrickleStream(InputStream in, int piece) {
      super(in);
      this.piece = piece;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, piece));
    }
  }

  /**
   * Yields at most {@code length} bytes of another stream, then ends, or fails as a dropped upload
   * connection would.
   */
  static final class BoundedStream extends FilterInputStream {
    private final boolean failAtEnd;
    private long left;

    BoundedStream(InputStream in, long length) {
      this(in, length, false);
    }

    private BoundedStream(InputStream in, long length, boolean failAtEnd) {
      super(in);
      this.left = length;
      this.failAtEnd = failAtEnd;
    }

    /** A stream that throws an {@link IOException} after {@code failAfter} bytes. */
    static BoundedStream failingAfter(InputStream in, long failAfter) {
      return new BoundedStream(in, failAfter, true);
    }

    @Override
    public int read() throws IOException {
      // through the bounded read: FilterInputStream's own read() would pass the bound by
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        if (failAtEnd) {
          throw new IOException("connection reset by peer (simulated)");
        }
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      left -= Math.max(n, 0);
      return n;
    }
  }
}
