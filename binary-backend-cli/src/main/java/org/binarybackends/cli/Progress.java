package org.binarybackends.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A progress bar on stderr (bytes, rate, time left) while {@code put} and {@code get} stream, only
 * when stderr is a terminal. On Java 17 {@code System.console()} is null as soon as stdout is
 * redirected ({@code get KEY > file}), so it cannot tell; stderr's own file descriptor can: on Linux
 * {@code /proc/self/fd/2} links to a {@code /dev/pts/} or {@code /dev/tty} device when it is one.
 * {@code BINARY_BACKENDS_PROGRESS=always|never} overrides the guess.
 */
final class Progress {
  private Progress() {}

  static boolean wanted(Map<String, String> env) {
    String forced = env.getOrDefault("BINARY_BACKENDS_PROGRESS", "");
    if (forced.equals("always")) {
      return true;
    }
    if (forced.equals("never")) {
      return false;
    }
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** {@code in}, drawing its progress out of {@code total} bytes ({@code -1}: unknown) on {@code err}. */
  static InputStream drawn(InputStream in, long total, PrintStream err) {
    long start = System.nanoTime();
    return new FilterInputStream(in) {
      private long done;
      private long drawnAt;

      private void moved(long n) {
        done += n;
        long now = System.nanoTime();
        if (n < 0 || now - drawnAt > 200_000_000L) {
          drawnAt = now;
          double seconds = Math.max(1e-3, (now - start) / 1e9);
          double rate = done / seconds;
          String left = total > 0 && rate > 0 ? ", " + Math.round((total - done) / rate) + " s left" : "";
          String of = total > 0 ? " of " + mib(total) + " (" + (100 * done / total) + " %)" : "";
          err.print("\r" + mib(done) + of + " at " + mib((long) rate) + "/s" + left + "   ");
          err.flush();
        }
      }

      @Override
      public int read() throws IOException {
        int b = super.read();
        moved(b < 0 ? -1 : 1);
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        moved(n < 0 ? -1 : n);
        return n;
      }

      /** Ends the progress line; the stream drawn is its owner's to close. */
      @Override
      public void close() {
        err.println();
      }
    };
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
