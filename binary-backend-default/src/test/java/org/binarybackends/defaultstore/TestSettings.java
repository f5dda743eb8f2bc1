package org.binarybackends.defaultstore;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.binarybackends.Secret;

/** Settings for tests: a root in a temp directory, a download server on a free loopback port. */
final class TestSettings {
  static final Secret KEY_1 = Secret.ofBytes("k1-0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  static final Secret KEY_2 = Secret.ofBytes("k2-0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  /** The id of every test root (each is a fresh temp directory): one id, so a test can reopen its root. */
  static final Secret ROOT_ID = Secret.of("00112233445566778899aabbccddeeff");

  private TestSettings() {}

  static DefaultStorageSettings.Builder withServer(Path root) {
    return DefaultStorageSettings.builder()
        .root(root)
        .rootId(ROOT_ID)
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
        .addSigningKey(SigningKey.of("k1", KEY_1))
        .bufferSize(16 * 1024);
  }
}
