package org.binarybackends.defaultstore.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Starts writing a large put's data to disk while the put is still streaming, so that the final
 * fsync has little left to do: the disk works while the CPU hashes and copies. Without it, the
 * kernel would hold the whole binary as dirty pages (background writeback starts at 10% of memory)
 * and the fsync at the end would wait for all of it. One flush at a time, on another thread; a put
 * that never reaches {@value #EVERY_BYTES} bytes never starts one. Not thread-safe: one per put.
 */
final class EarlyFlusher {
  static final long EVERY_BYTES = 32L << 20;

  private final FileChannel channel;
  private final ExecutorService executor;
  private long nextAt = EVERY_BYTES;
  private Future<?> inFlight;

  EarlyFlusher(FileChannel channel, ExecutorService executor) {
    this.channel = channel;
    this.executor = executor;
  }

  /** Notes that {@code position} bytes are written; starts a flush if one is due and none runs. */
  void written(long position) throws IOException {
    if (position < nextAt || inFlight != null && !inFlight.isDone()) {
      return;
    }
    check();
    nextAt = position + EVERY_BYTES;
    try {
      inFlight = executor.submit(() -> {
        channel.force(false);
        return null;
      });
    } catch (RejectedExecutionException e) {
      inFlight = null; // the backend is closing: the final fsync will do it all
    }
  }

  /** Waits for the flush in flight, if any, and reports its failure. */
  void finish() throws IOException {
    check();
  }

  private void check() throws IOException {
    if (inFlight == null) {
      return;
    }
    try {
      inFlight.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while flushing");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
    } finally {
      inFlight = null;
    }
  }
}
