package org.binarybackends.defaultstore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import org.binarybackends.BinaryBackend;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.testkit.GeneratedContent;

/**
 * Run in a child JVM by {@link DurabilityTest}: stores version 1 of a key, then starts writing
 * version 2 without end and says so on stdout, so that the test can kill the JVM mid-write.
 */
public final class CrashWriter {
  private CrashWriter() {}

  public static void main(String[] args) throws Exception {
    DefaultStorageSettings settings = DefaultStorageSettings.builder().root(Path.of(args[0])).rootId(TestSettings.ROOT_ID)
        .downloadBaseUri(URI.create("http://localhost/")).addSigningKey(SigningKey.of("k1", TestSettings.KEY_1))
        .bufferSize(64 * 1024).build();
    BinaryBackend backend = new DefaultStorageProvider().create(settings, BackendContext.defaults());
    OrganizationId org = OrganizationId.of(args[1]);
    ObjectKey key = ObjectKey.of(args[2]);
    backend.put(org, key, new GeneratedContent(1, 1 << 20));
    InputStream endless = new FilterInputStream(new GeneratedContent(2, Long.MAX_VALUE)) {
      private long read;
      private boolean announced;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        read += n;
        if (!announced && read > (4 << 20)) {
          announced = true;
          System.out.println("WRITING");
          System.out.flush();
        }
        return n;
      }
    };
    backend.put(org, key, endless);
    System.out.println("UNREACHABLE");
  }
}
