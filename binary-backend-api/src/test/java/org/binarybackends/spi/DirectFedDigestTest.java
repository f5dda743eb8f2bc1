package org.binarybackends.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The direct-buffer feed gives the digest of exactly the bytes given, however they are given: the
 * provider it wraps here is the JDK's, the logic is the same for any.
 */
class DirectFedDigestTest {
  private static final byte[] DATA = new byte[(200 << 10) + 13];

  static {
    new Random(3).nextBytes(DATA);
  }

  private static byte[] reference(byte[] data, int length) throws Exception {
    return MessageDigest.getInstance("SHA-256", "SUN").digest(java.util.Arrays.copyOf(data, length));
  }

  private static DirectFedDigest fed() throws Exception {
    return new DirectFedDigest(MessageDigest.getInstance("SHA-256", "SUN"));
  }

  @Test
  void arraysOfEverySizeAcrossTheBufferGiveTheDigestOfTheirBytes() throws Exception {
    for (int step : new int[] {1, 7, 4096, (64 << 10) - 1, 64 << 10, (64 << 10) + 1, 150_000, DATA.length}) {
      DirectFedDigest d = fed();
      for (int off = 0; off < DATA.length; off += step) {
        d.update(DATA, off, Math.min(step, DATA.length - off));
      }
      assertThat(d.digest()).as("updates of " + step + " bytes").isEqualTo(reference(DATA, DATA.length));
    }
  }

  @Test
  void singleBytesHeapAndDirectBuffersMixedGiveTheSameDigest() throws Exception {
    DirectFedDigest d = fed();
    int i = 0;
    for (; i < 70_000; i++) {
      d.update(DATA[i]); // past one whole buffer of single bytes
    }
    ByteBuffer heap = ByteBuffer.wrap(DATA, i, 50_000);
    d.update(heap);
    assertThat(heap.hasRemaining()).isFalse();
    i += 50_000;
    ByteBuffer direct = ByteBuffer.allocateDirect(DATA.length - i);
    direct.put(DATA, i, DATA.length - i).flip();
    d.update(direct);
    assertThat(direct.hasRemaining()).isFalse();
    assertThat(d.digest()).isEqualTo(reference(DATA, DATA.length));
  }

  @Test
  void aDigestOrAResetStartsAfresh() throws Exception {
    DirectFedDigest d = fed();
    d.update(DATA, 0, 1000);
    d.reset();
    d.update(DATA, 0, 100);
    assertThat(d.digest()).isEqualTo(reference(DATA, 100));
    d.update(DATA, 0, 100_000);
    assertThat(d.digest()).as("after a digest, the next one starts empty").isEqualTo(reference(DATA, 100_000));
    assertThat(d.digest()).isEqualTo(reference(DATA, 0));
    assertThat(d.getDigestLength()).isEqualTo(32);
    assertThat(d.getAlgorithm()).isEqualTo("SHA-256");
  }
}
