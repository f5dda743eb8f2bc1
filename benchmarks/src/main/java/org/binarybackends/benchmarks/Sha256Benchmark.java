package org.binarybackends.benchmarks;

import java.security.MessageDigest;
import java.security.Provider;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.binarybackends.spi.CryptoProviders;

/**
 * SHA-256 of 1 GiB in memory, the JDK's {@code MessageDigest} beside Amazon Corretto Crypto
 * Provider's given the array, and the library's {@link CryptoProviders#sha256()} (the JDK's, or the
 * provider's fed through a direct buffer), in 64 KiB updates (the block the stores hash in),
 * alternating, several repetitions in one JVM. Run it once as
 * it is and once with {@code -XX:-UseSHA} (a JVM without hardware SHA-256), as {@code signing.sh}
 * does.
 *
 * <p>Usage: {@code Sha256Benchmark [MiB=1024] [repetitions=5]}
 */
public final class Sha256Benchmark {
  private Sha256Benchmark() {}

  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Provider corretto = CryptoProviders.corretto().orElseThrow(() -> new IllegalStateException(
        "Amazon Corretto Crypto Provider is not on the class path or not healthy"));
    byte[] data = new byte[mib << 20];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i + 8 <= data.length; i += 8) {
      long v = random.nextLong();
      for (int b = 0; b < 8; b++) {
        data[i + b] = (byte) (v >>> (8 * b));
      }
    }
    Provider jdk = MessageDigest.getInstance("SHA-256").getProvider();
    double[] jdkRates = new double[reps];
    double[] correttoRates = new double[reps];
    double[] libraryRates = new double[reps];
    for (int r = -1; r < reps; r++) { // r = -1: warm-up, not counted
      double j = rate(MessageDigest.getInstance("SHA-256", jdk), data);
      double c = rate(MessageDigest.getInstance("SHA-256", corretto), data);
      double l = rate(CryptoProviders.sha256(), data);
      if (r >= 0) {
        jdkRates[r] = j;
        correttoRates[r] = c;
        libraryRates[r] = l;
        System.out.printf("rep %d: %s %.0f MiB/s, %s %.0f MiB/s (%.2fx), the library's %.0f MiB/s%n", r + 1,
            jdk.getName(), j, corretto.getName(), c, c / j, l);
      }
    }
    String jdkHex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256", jdk).digest(data));
    String correttoHex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256", corretto).digest(data));
    if (!jdkHex.equals(correttoHex)) {
      throw new IllegalStateException("the providers disagree: " + jdkHex + " against " + correttoHex);
    }
    System.out.printf("median of %d, SHA-256 of %d MiB in memory: %s %.0f MiB/s, %s %.0f MiB/s, ratio %.2f;"
        + " the library's (%s) %.0f MiB/s%n", reps, mib, jdk.getName(), median(jdkRates), corretto.getName(),
        median(correttoRates), median(correttoRates) / median(jdkRates), CryptoProviders.sha256().toString().lines().findFirst().orElse(""),
        median(libraryRates));
    System.out.println(CryptoProviders.describe());
  }

  private static double rate(MessageDigest md, byte[] data) {
    long start = System.nanoTime();
    for (int off = 0; off < data.length; off += 64 << 10) {
      md.update(data, off, Math.min(64 << 10, data.length - off));
    }
    md.digest();
    return (data.length / (double) (1 << 20)) / ((System.nanoTime() - start) / 1e9);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  }
}
