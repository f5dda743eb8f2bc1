package org.binarybackends.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * 100,000 organizations, 1% of them with their own storage (registered, verified, switched), all
 * resolved and cached; prints the heap they take after a full GC. Run with {@code -Xmx256m}: that
 * it finishes at all is the requirement, the figure says how much room is left.
 */
public final class ResolverMemory {
  private ResolverMemory() {}

  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long before = usedAfterGc();
    long start = System.nanoTime();
    ResolverFixture fixture = new ResolverFixture(count, 100);
    int custom = fixture.resolveAll();
    double seconds = (System.nanoTime() - start) / 1e9;
    long after = usedAfterGc();
    System.out.printf(Locale.ROOT, "%d organizations, %d with their own storage (%d backends built besides the default storage), all resolved and"
        + " cached in %.1f s: heap %.1f MiB after GC (%.0f bytes per organization), max heap %d MiB%n",
        fixture.organizations.length, custom, fixture.provider.built() - 1, seconds, (after - before) / 1048576.0,
        (after - before) / (double) count, Runtime.getRuntime().maxMemory() >> 20);
    int expected = (count + 99) / 100;
    if (custom != expected) {
      throw new IllegalStateException(custom + " organizations resolved to their own storage, not " + expected);
    }
    fixture.close();
  }

  private static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
