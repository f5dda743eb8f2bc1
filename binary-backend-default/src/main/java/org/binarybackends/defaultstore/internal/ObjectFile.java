package org.binarybackends.defaultstore.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.zip.CRC32C;
import org.binarybackends.Sha256Digest;

/**
 * The fixed header at the start of every stored object file: what {@code stat} returns, kept in
 * the same file as the bytes so that one atomic rename publishes both, and an open file descriptor
 * always pairs a version's bytes with its own metadata.
 *
 * <pre>
 *  0  8  magic "BBOBJ001"
 *  8  8  size of the binary in bytes (big-endian)
 * 16  8  stored at, epoch seconds
 * 24  4  stored at, nanoseconds
 * 28  4  CRC32C of bytes 0-27 and 32-63
 * 32 32  SHA-256 of the binary
 * 64     the binary's bytes
 * </pre>
 */
record ObjectFile(long size, Sha256Digest sha256, Instant storedAt) {
  static final int HEADER_BYTES = 64;
  private static final byte[] MAGIC = "BBOBJ001".getBytes(StandardCharsets.US_ASCII);

  ByteBuffer header() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
    b.put(MAGIC).putLong(size).putLong(storedAt.getEpochSecond()).putInt(storedAt.getNano());
    b.putInt(0).put(sha256.bytes());
    b.putInt(28, crc(b));
    return b.flip();
  }

  private static int crc(ByteBuffer header) {
    CRC32C crc = new CRC32C();
    crc.update(header.array(), 0, 28);
    crc.update(header.array(), 32, 32);
    return (int) crc.getValue();
  }

  /** Writes the header at the start of {@code channel}. */
  void writeTo(FileChannel channel) throws IOException {
    ByteBuffer b = header();
    long position = 0;
    while (b.hasRemaining()) {
      position += channel.write(b, position);
    }
  }

  /**
   * Reads the header of an object file.
   *
   * @throws CorruptObjectException if it is not a complete, intact header of this format
   */
  static ObjectFile readFrom(FileChannel channel) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES);
    while (b.hasRemaining()) {
      if (channel.read(b, b.position()) < 0) {
        throw new CorruptObjectException("shorter than its " + HEADER_BYTES + "-byte header");
      }
    }
    b.flip();
    for (int i = 0; i < MAGIC.length; i++) {
      if (b.get(i) != MAGIC[i]) {
        throw new CorruptObjectException("not an object file of this storage (bad magic)");
      }
    }
    if (b.getInt(28) != crc(b)) {
      throw new CorruptObjectException("header checksum mismatch");
    }
    long size = b.getLong(8);
    byte[] sha = new byte[32];
    b.get(32, sha);
    ObjectFile header = new ObjectFile(size, Sha256Digest.of(sha), Instant.ofEpochSecond(b.getLong(16), b.getInt(24)));
    if (size < 0 || channel.size() != HEADER_BYTES + size) {
      throw new CorruptObjectException("file length " + channel.size() + " does not match the header's size " + size);
    }
    return header;
  }

  /** An object file that is not intact: a bug or someone else's hands in the storage root. */
  static final class CorruptObjectException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptObjectException(String message) {
      super(message);
    }
  }
}
