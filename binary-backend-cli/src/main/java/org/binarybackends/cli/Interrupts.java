package org.binarybackends.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a transfer: the JVM runs its shutdown hooks; the hook here marks the transfer
 * cancelled, so the next read of its source fails and the backend aborts the upload (no orphaned
 * multipart upload), then waits for the command to have cleaned up before the JVM exits (with 130,
 * as for any process ended by SIGINT).
 */
final class Interrupts {
  private static volatile boolean shuttingDown;
  private static volatile boolean cancelled;
  private static final CountDownLatch CLEANED_UP = new CountDownLatch(1);

  private Interrupts() {}

  static boolean shuttingDown() {
    return shuttingDown;
  }

  static boolean cancelled() {
    return cancelled;
  }

  /** Runs {@code transfer} so that Ctrl-C aborts it cleanly. */
  static <T> T guarded(java.util.function.Supplier<T> transfer) {
    return onCtrlC(() -> {}, () -> {
      try {
        return transfer.get();
      } catch (RuntimeException e) {
        if (cancelled) {
          throw new ExitCode.Interrupted("interrupted: the upload was aborted, nothing stored (" + e.getMessage() + ")");
        }
        throw e;
      }
    });
  }

  /**
   * Runs {@code work} (a migration) so that Ctrl-C interrupts the thread running it, which stops
   * and checkpoints, then lets the JVM exit.
   */
  static <T> T stoppable(java.util.function.Supplier<T> work) {
    Thread worker = Thread.currentThread();
    return onCtrlC(worker::interrupt, work);
  }

  /**
   * Runs {@code work} with a shutdown hook that, on Ctrl-C, marks it cancelled, runs {@code signal},
   * and holds the JVM's exit until {@code work} has cleaned up (at most a minute).
   */
  private static <T> T onCtrlC(Runnable signal, java.util.function.Supplier<T> work) {
    Thread hook = new Thread(() -> {
      shuttingDown = true;
      cancelled = true;
      signal.run();
      try {
        CLEANED_UP.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "binary-backends-ctrl-c");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return work.get();
    } finally {
      CLEANED_UP.countDown();
      if (!shuttingDown) {
        Runtime.getRuntime().removeShutdownHook(hook);
      }
    }
  }

  /**
   * {@code in}, failing its next read once Ctrl-C is pressed, even while the source itself blocks (a
   * pipe on stdin waits for its writer): a daemon thread reads the source into a handoff of at most
   * four chunks of 256 KiB, and the reader waits on the handoff, looking at the flag every 100 ms.
   */
  static InputStream cancellable(InputStream in) {
    java.util.concurrent.BlockingQueue<byte[]> chunks = new java.util.concurrent.ArrayBlockingQueue<>(4);
    byte[] end = new byte[0];
    IOException[] failure = new IOException[1];
    Thread pump = new Thread(() -> {
      try {
        while (true) {
          byte[] chunk = in.readNBytes(256 * 1024);
          if (chunk.length == 0) {
            break;
          }
          chunks.put(chunk);
        }
      } catch (IOException e) {
        failure[0] = e;
      } catch (InterruptedException e) {
        return;
      }
      try {
        chunks.put(end);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "binary-backends-source");
    pump.setDaemon(true);
    pump.start();
    return new InputStream() {
      private byte[] current = new byte[0];
      private int at;
      private boolean done;

      private boolean fill() throws IOException {
        while (at == current.length && !done) {
          if (cancelled) {
            throw new IOException("interrupted by Ctrl-C");
          }
          try {
            byte[] next = chunks.poll(100, TimeUnit.MILLISECONDS);
            if (next == end) {
              done = true;
              if (failure[0] != null) {
                throw failure[0];
              }
            } else if (next != null) {
              current = next;
              at = 0;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
          }
        }
        if (cancelled) {
          throw new IOException("interrupted by Ctrl-C");
        }
        return at < current.length;
      }

      @Override
      public int read() throws IOException {
        return fill() ? current[at++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, current.length - at);
        System.arraycopy(current, at, b, off, n);
        at += n;
        return n;
      }

      @Override
      public void close() {
        pump.interrupt();
      }
    };
  }
}
