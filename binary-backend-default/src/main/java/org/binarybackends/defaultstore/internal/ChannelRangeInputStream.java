package org.binarybackends.defaultstore.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads {@code length} bytes of an open file from {@code position}: the file descriptor pins the
 * version that was opened even if the key is replaced meanwhile, and {@link #skip(long)} costs
 * nothing. Owns and closes the channel. Not thread-safe.
 *
 * <p>Large reads go through read-only memory-mapped windows of {@value #WINDOW_BYTES} bytes: one
 * copy from the page cache into the caller's array, where a {@code read} into a Java array costs
 * two (the JDK reads through a temporary direct buffer); measured in {@code benchmarks/}, this is
 * what brings reads to the speed of {@code cat}. Windows are never unmapped by hand, because an
 * unmap while another thread still touches the buffer would crash the JVM; the garbage collector
 * unmaps them, and if mapping fails (too many mappings, or a JVM that forbids it) the stream falls
 * back to positional reads. Stored files are replaced by rename, never rewritten in place, so a
 * mapped window never shrinks under the reader unless someone edits the storage by hand; that case
 * ends the read with an {@link IOException}.
 */
final class ChannelRangeInputStream extends InputStream {
  private static final int WINDOW_BYTES = 16 << 20;
  private static final int SLICE_BYTES = 128 * 1024;

  private final FileChannel channel;
  private long position;
  private long remaining;
  private MappedByteBuffer window;
  private boolean mappingFailed;

  ChannelRangeInputStream(FileChannel channel, long position, long length) {
    this.channel = channel;
    this.position = position;
    this.remaining = length;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int wanted = (int) Math.min(len, remaining);
    if ((window == null || !window.hasRemaining()) && remaining >= WINDOW_BYTES && !mappingFailed) {
      try {
        window = channel.map(FileChannel.MapMode.READ_ONLY, position, WINDOW_BYTES);
      } catch (IOException | UnsupportedOperationException e) {
        mappingFailed = true;
        window = null;
      }
    }
    return window != null && window.hasRemaining() ? readMapped(b, off, wanted) : readPositional(b, off, wanted);
  }

  private int readMapped(byte[] b, int off, int wanted) throws IOException {
    int n = Math.min(wanted, window.remaining());
    try {
      window.get(b, off, n);
    } catch (InternalError e) {
      // the JVM's answer to SIGBUS: the file was truncated under the mapping
      throw new IOException("object file changed behind the storage's back", e);
    }
    advance(n);
    return n;
  }

  private int readPositional(byte[] b, int off, int wanted) throws IOException {
    int done = 0;
    // In slices: the JDK reads a heap buffer through a temporary direct buffer of the same size, and
    // a slice that stays in the CPU cache makes that second copy cheaper.
    while (done < wanted) {
      int n = channel.read(ByteBuffer.wrap(b, off + done, Math.min(wanted - done, SLICE_BYTES)), position);
      if (n < 0) {
        throw new IOException("object file ended " + remaining + " bytes early: truncated behind the storage's back");
      }
      advance(n);
      done += n;
    }
    return done;
  }

  private void advance(int n) {
    position += n;
    remaining -= n;
  }

  @Override
  public long skip(long n) {
    long skipped = Math.max(0, Math.min(n, remaining));
    if (window != null && skipped <= window.remaining()) {
      window.position(window.position() + (int) skipped);
    } else {
      window = null;
    }
    position += skipped;
    remaining -= skipped;
    return skipped;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, remaining);
  }

  @Override
  public void close() throws IOException {
    window = null;
    channel.close();
  }
}
