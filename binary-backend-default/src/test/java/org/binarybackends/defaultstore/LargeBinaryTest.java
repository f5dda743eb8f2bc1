package org.binarybackends.defaultstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Sha256Digest;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Binaries past the sizes where the default storage changes strategy: early flushes while writing
 * (every 32 MiB) and memory-mapped windows while reading (16 MiB each).
 */
class LargeBinaryTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final ObjectKey KEY = ObjectKey.of("fw/large.bin");
  private static final long SIZE = (70L << 20) + 123;

  @TempDir
  Path root;

  @Test
  void largeBinariesRoundTripWholeInRangesAndWithSkips() throws Exception {
    try (BinaryBackend backend = new DefaultStorageProvider().create(TestSettings.withServer(root).build(),
        BackendContext.defaults())) {
      assertThat(backend.put(ORG, KEY, new GeneratedContent(9, SIZE)).sha256()).isEqualTo(GeneratedContent.sha256(9, SIZE));
      try (BinaryContent whole = backend.read(ORG, KEY)) {
        assertThat(GeneratedContent.digest(whole.stream())).isEqualTo(GeneratedContent.sha256(9, SIZE));
      }
      long first = (16L << 20) - 5;
      long last = (48L << 20) + 7;
      try (BinaryContent part = backend.read(ORG, KEY, ByteRange.of(first, last))) {
        assertThat(GeneratedContent.digest(part.stream())).isEqualTo(slice(first, last - first + 1));
      }
      // skips inside a mapped window, across windows, and reads of single bytes
      try (BinaryContent content = backend.read(ORG, KEY); GeneratedContent expected = new GeneratedContent(9, SIZE)) {
        InputStream in = content.stream();
        byte[] buffer = new byte[1 << 20];
        long pos = 0;
        for (long skip : new long[] {10, 3 << 20, 20 << 20, 1, 0, 40 << 20}) {
          int n = in.readNBytes(buffer, 0, buffer.length);
          byte[] want = expected.readNBytes(n);
          assertThat(java.util.Arrays.equals(buffer, 0, n, want, 0, n)).as("bytes at %d", pos).isTrue();
          pos += n;
          long skipped = in.skip(skip);
          expected.skipNBytes(skipped);
          pos += skipped;
          assertThat(in.read()).isEqualTo(expected.read());
          pos++;
        }
        assertThat(pos).isLessThanOrEqualTo(SIZE);
      }
    }
  }

  private static Sha256Digest slice(long offset, long length) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (GeneratedContent in = new GeneratedContent(9, SIZE)) {
      in.skipNBytes(offset);
      byte[] buffer = new byte[1 << 20];
      long left = length;
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        sha.update(buffer, 0, n);
        left -= n;
      }
    }
    return Sha256Digest.of(sha);
  }
}
