package org.binarybackends.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.Security;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The providers chosen in this JVM, against what the build says this run is for (the pom runs this
 * class with Amazon Corretto Crypto Provider on the class path, without it, and in a JVM without
 * hardware SHA-256): {@code binarybackends.expectCorretto} and {@code binarybackends.expectSha256Provider}.
 */
class CryptoProvidersTest {
  private static String expected(String property) {
    String value = System.getProperty(property);
    assertThat(value).as("system property " + property + ", set by the build for each run of this class").isNotBlank();
    return value;
  }

  @Test
  void correttoIsUsedExactlyWhenThisRunHasItAndNeverInstalledForTheProcess() {
    String[] before = Arrays.stream(Security.getProviders()).map(Provider::getName).toArray(String[]::new);
    boolean expectCorretto = Boolean.parseBoolean(expected("binarybackends.expectCorretto"));
    assertThat(CryptoProviders.corretto().isPresent()).as(CryptoProviders.describe()).isEqualTo(expectCorretto);
    if (expectCorretto) {
      Provider p = CryptoProviders.corretto().orElseThrow();
      assertThat(p.getName()).isEqualTo(CryptoProviders.CORRETTO);
      assertThat(CryptoProviders.describe()).contains("CloudFront signatures by " + p.getInfo())
          .contains("AWS-LC");
    } else {
      assertThat(CryptoProviders.describe()).contains(CryptoProviders.CORRETTO + " not present");
    }
    // found and used by name, never added to the process's list (the embedding service's crypto and the SDK's)
    assertThat(Security.getProvider(CryptoProviders.CORRETTO)).isNull();
    assertThat(Arrays.stream(Security.getProviders()).map(Provider::getName)).containsExactly(before);
  }

  @Test
  void sha256ComesFromTheProviderThisRunIsForAndIsSha256() throws Exception {
    assertThat(CryptoProviders.sha256ProviderName()).as(CryptoProviders.describe())
        .isEqualTo(expected("binarybackends.expectSha256Provider"));
    MessageDigest a = CryptoProviders.sha256();
    MessageDigest b = CryptoProviders.sha256();
    assertThat(a).as("a new digest each time: a MessageDigest is not thread-safe").isNotSameAs(b);
    a.update("abc".getBytes(StandardCharsets.US_ASCII));
    b.update("a".getBytes(StandardCharsets.US_ASCII)); // one digest's state never reaches the other
    assertThat(HexFormat.of().formatHex(a.digest()))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); // FIPS 180-2, "abc"
    assertThat(b.digest()).isEqualTo(MessageDigest.getInstance("SHA-256", "SUN").digest(new byte[] {'a'}));
    // a 1 MiB input in uneven updates: the JDK's digest of the same bytes
    byte[] data = new byte[1 << 20];
    new java.util.Random(7).nextBytes(data);
    MessageDigest c = CryptoProviders.sha256();
    for (int off = 0, step = 1; off < data.length; off += step, step = step * 3 + 1) {
      c.update(data, off, Math.min(step, data.length - off));
    }
    assertThat(c.digest()).isEqualTo(MessageDigest.getInstance("SHA-256", "SUN").digest(data));
  }
}
