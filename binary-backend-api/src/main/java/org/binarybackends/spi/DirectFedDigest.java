package org.binarybackends.spi;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * A digest of Amazon Corretto Crypto Provider fed through a direct buffer of 64 KiB, never a Java
 * array. The provider reads a Java array inside a JNI critical region, during which the JVM cannot
 * collect; on JDK 17 a thread that needs a collection then is refused after two waits ("Retried
 * waiting for GCLocker too often") with an {@link OutOfMemoryError}, however much of the heap is
 * garbage. Seen in this project's S3 tests (parts of 8 MiB allocated while the previous one was hashed)
 * and reproduced alone; a direct buffer is read by address, outside any such region. The copy costs
 * about 16% of the provider's rate, which is still about seven times the JDK's where the provider is
 * chosen (a JVM without SHA instructions). Not thread-safe, as every {@link MessageDigest}.
 */
final class DirectFedDigest extends MessageDigest {
  private static final int BUFFER = 64 << 10;
  private final MessageDigest provider;
  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);

  DirectFedDigest(MessageDigest provider) {
    super(provider.getAlgorithm());
    this.provider = provider;
  }

  @Override
  protected void engineUpdate(byte input) {
    buffer.put(input);
    if (!buffer.hasRemaining()) {
      flush();
    }
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    while (len > 0) {
      int n = Math.min(len, buffer.remaining());
      buffer.put(input, offset, n);
      offset += n;
      len -= n;
      if (!buffer.hasRemaining()) {
        flush();
      }
    }
  }

  @Override
  protected void engineUpdate(ByteBuffer input) {
    if (input.isDirect()) {
      flush();
      provider.update(input);
      return;
    }
    while (input.hasRemaining()) {
      int n = Math.min(input.remaining(), buffer.remaining());
      ByteBuffer slice = input.slice();
      slice.limit(n);
      buffer.put(slice);
      input.position(input.position() + n);
      if (!buffer.hasRemaining()) {
        flush();
      }
    }
  }

  @Override
  protected byte[] engineDigest() {
    flush();
    return provider.digest();
  }

  @Override
  protected void engineReset() {
    buffer.clear();
    provider.reset();
  }

  @Override
  protected int engineGetDigestLength() {
    return provider.getDigestLength();
  }

  private void flush() {
    buffer.flip();
    if (buffer.hasRemaining()) {
      provider.update(buffer);
    }
    buffer.clear();
  }

  @Override
  public String toString() {
    return provider.getAlgorithm() + " of " + provider.getProvider().getName() + ", fed through a direct buffer";
  }
}
