package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import org.binarybackends.Sha256Digest;
import org.binarybackends.spi.CryptoProviders;
import org.junit.jupiter.api.Test;

/**
 * Which provider the library's SHA-256 comes from in this test run, against what the build says the
 * run is for: system property {@value #EXPECTED} ({@code SUN} for the JDK's, {@code
 * AmazonCorrettoCryptoProvider}). A run meant to store binaries hashed by Amazon Corretto Crypto
 * Provider then cannot pass on the JDK's digests unnoticed (a missing jar, a JVM flag lost). A
 * storage module's test class implements it beside its contract suites; the suites themselves check
 * every digest against the JDK's ({@link GeneratedContent#digest}).
 */
public interface CryptoProviderContract {
  /** The system property naming the provider this run's SHA-256 must come from. */
  String EXPECTED = "binarybackends.expectSha256Provider";

  @Test
  default void binariesAreHashedByTheProviderThisRunIsFor() throws Exception {
    String expected = System.getProperty(EXPECTED);
    assertThat(expected).as("system property " + EXPECTED + ", set by the build for each test run").isNotBlank();
    assertThat(CryptoProviders.sha256ProviderName()).as(CryptoProviders.describe()).isEqualTo(expected);
    MessageDigest library = CryptoProviders.sha256();
    // the chosen provider's digest is the JDK's, streamed in blocks of every size the stores use
    try (GeneratedContent in = new GeneratedContent(18, (3 << 20) + 7)) {
      byte[] block = new byte[(1 << 20) + 3];
      for (int n; (n = in.read(block)) >= 0; ) {
        library.update(block, 0, n);
      }
    }
    assertThat(Sha256Digest.of(library)).isEqualTo(GeneratedContent.sha256(18, (3 << 20) + 7));
  }
}
