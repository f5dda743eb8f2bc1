package org.binarybackends.benchmarks;

import java.util.concurrent.TimeUnit;
import org.binarybackends.activation.UploadTarget;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code BinaryBackends.forUpload} of organizations already resolved (10,000 of them, every tenth
 * with its own storage), from 2 threads, each walking the organizations in its own order.
 */
@BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Threads(2)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ResolveBenchmark {

  @State(Scope.Benchmark)
  public static class Organizations {
    ResolverFixture fixture;

    @Setup(Level.Trial)
    public void setUp() {
      fixture = new ResolverFixture(10_000, 10);
      fixture.resolveAll();
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() {
      fixture.close();
    }
  }

  @State(Scope.Thread)
  public static class Cursor {
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      next = (int) (Thread.currentThread().getId() * 7919 % 10_000);
    }
  }

  @Benchmark
  public UploadTarget resolveCachedOrganization(Organizations orgs, Cursor cursor) {
    int i = cursor.next;
    cursor.next = i + 1 == orgs.fixture.organizations.length ? 0 : i + 1;
    return orgs.fixture.binaries.forUpload(orgs.fixture.organizations[i]);
  }
}
