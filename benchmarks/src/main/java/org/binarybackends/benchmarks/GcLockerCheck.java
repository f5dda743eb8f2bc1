package org.binarybackends.benchmarks;

import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.binarybackends.spi.CryptoProviders;

/**
 * Why the library feeds Amazon Corretto Crypto Provider's SHA-256 through a direct buffer: one thread
 * hashes 8 MiB arrays (a part, as the S3 put does) while four others allocate 8 MiB arrays and keep the
 * last 44 alive (a heap mostly full of live parts), for 20 s in {@code -Xmx512m}; counts the
 * allocations that failed with {@link OutOfMemoryError}. Modes: {@code jdk} (the JDK's digest),
 * {@code corretto} (the provider's, given the arrays: JNI critical regions), {@code library}
 * ({@link CryptoProviders#sha256()}, run with {@code -Dbinarybackends.sha256=corretto}).
 *
 * <p>Usage: {@code java -Xmx512m [-Dbinarybackends.sha256=corretto] … GcLockerCheck jdk|corretto|library}
 */
public final class GcLockerCheck {
  private GcLockerCheck() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    MessageDigest md = switch (mode) {
      case "jdk" -> MessageDigest.getInstance("SHA-256");
      case "corretto" -> MessageDigest.getInstance("SHA-256", CryptoProviders.corretto().orElseThrow());
      case "library" -> CryptoProviders.sha256();
      default -> throw new IllegalArgumentException("jdk, corretto or library: " + mode);
    };
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong failed = new AtomicLong();
    AtomicLong hashed = new AtomicLong();
    ArrayBlockingQueue<byte[]> live = new ArrayBlockingQueue<>(44);
    Thread[] threads = new Thread[5];
    for (int i = 0; i < 4; i++) {
      threads[i] = new Thread(() -> {
        while (!stop.get()) {
          try {
            byte[] part = new byte[8 << 20];
            while (!live.offer(part)) {
              live.poll();
            }
            for (int k = 0; k < 200; k++) {
              blackhole(new byte[1000]);
            }
          } catch (OutOfMemoryError e) {
            failed.incrementAndGet();
          }
        }
      });
    }
    threads[4] = new Thread(() -> {
      while (!stop.get()) {
        try {
          byte[] part = new byte[8 << 20];
          md.update(part, 0, part.length);
          hashed.addAndGet(part.length);
        } catch (OutOfMemoryError e) {
          failed.incrementAndGet();
        }
      }
    });
    for (Thread t : threads) {
      t.start();
    }
    Thread.sleep(20_000);
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    System.out.printf("%s (%s): %d allocations failed with OutOfMemoryError, %d MiB hashed%n", mode,
        md.toString().lines().findFirst().orElse(""),
        failed.get(), hashed.get() >> 20);
  }

  private static volatile int sink;

  private static void blackhole(byte[] b) {
    sink += b.length;
  }
}
