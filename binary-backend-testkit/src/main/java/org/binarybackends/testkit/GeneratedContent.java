package org.binarybackends.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.binarybackends.Sha256Digest;

/**
 * Deterministic pseudo-random content of any length, generated as it is read: a test can stream
 * gigabytes through a backend without holding them. The same seed and length always give the same
 * bytes. Not thread-safe.
 */
public final class GeneratedContent extends InputStream {
  private final long length;
  private long position;
  private long state;
  private long word;
  private int wordBytesLeft;

  public GeneratedContent(long seed, long length) {
    this.length = length;
    this.state = seed * 0x9E3779B97F4A7C15L + 1;
  }

  /** The SHA-256 of the content of {@code seed} and {@code length}, computed by streaming it. */
  public static Sha256Digest sha256(long seed, long length) {
    try (GeneratedContent in = new GeneratedContent(seed, length)) {
      return digest(in);
    }
  }

  /** The SHA-256 of whatever {@code in} yields until its end, streamed in 64 KiB blocks. */
  public static Sha256Digest digest(InputStream in) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 << 10];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        sha.update(buffer, 0, n);
      }
      return Sha256Digest.of(sha);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte nextByte() {
    if (wordBytesLeft == 0) {
      // SplitMix64: fast, and good enough that equal blocks are not a risk
      long z = state += 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      word = z ^ (z >>> 31);
      wordBytesLeft = 8;
    }
    byte b = (byte) word;
    word >>>= 8;
    wordBytesLeft--;
    return b;
  }

  @Override
  public int read() {
    if (position >= length) {
      return -1;
    }
    position++;
    return nextByte() & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    if (len == 0) {
      return 0;
    }
    if (position >= length) {
      return -1;
    }
    int n = (int) Math.min(len, length - position);
    for (int i = 0; i < n; i++) {
      b[off + i] = nextByte();
    }
    position += n;
    return n;
  }

  @Override
  public void close() {}
}
