package org.binarybackends.activation.internal;

import org.binarybackends.activation.SettingsJson;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.internal.InstrumentedBackend;
import org.binarybackends.spi.BackendContext;

/**
 * The backends built from organizations' settings: each built once per distinct settings and
 * shared by every caller, the {@link Activator} and the {@link BackendResolver} alike.
 *
 * <p>A backend whose configuration is replaced is {@linkplain #retire retired}: closed as soon as
 * the calls in flight on it end (a read counts until its stream is closed), or after the grace time
 * whatever is still running (a device download can last hours: the default grace is 6 hours). A
 * later call for the same settings (a read of a binary stored under a replaced configuration) builds
 * it again. Backends handed out are never closed by their callers. Thread-safe.
 */
public final class BackendPool implements AutoCloseable {
  /** How long a replaced backend may keep serving calls in flight unless configured otherwise. */
  public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofHours(6);

  private final BinaryBackendRegistry registry;
  private final BackendContext context;
  private final Duration closeGrace;
  private final Clock clock;
  private final ConcurrentHashMap<SettingsJson, PooledBackend> backends = new ConcurrentHashMap<>();
  private final Set<PooledBackend> retiring = ConcurrentHashMap.newKeySet();

  public BackendPool(BinaryBackendRegistry registry, BackendContext context, Duration closeGrace) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.context = Objects.requireNonNull(context, "context");
    this.closeGrace = Objects.requireNonNull(closeGrace, "closeGrace");
    this.clock = context.clock();
  }

  public BackendPool(BinaryBackendRegistry registry, BackendContext context) {
    this(registry, context, DEFAULT_CLOSE_GRACE);
  }

  /** The registry backends are built with (and settings validated by). */
  public BinaryBackendRegistry registry() {
    return registry;
  }

  /**
   * The backend for {@code settings}, built on first use.
   *
   * @throws org.binarybackends.InvalidConfigurationException if the settings are refused by their
   *     provider
   */
  public BinaryBackend acquire(SettingsJson settings) {
    while (true) {
      PooledBackend b = backends.computeIfAbsent(settings, s -> new PooledBackend(
          InstrumentedBackend.of(registry.create(s.reveal(), context), context.instrumentation(), s.type())));
      if (b.usable()) {
        return b;
      }
      // retired meanwhile: a caller still needs these settings (an old binary), so build them again
      backends.remove(settings, b);
    }
  }

  /** Retires the backend of {@code settings}, if one is built: closed when idle or after the grace time. */
  public void retire(SettingsJson settings) {
    PooledBackend b = backends.remove(settings);
    if (b != null) {
      b.retire(clock.instant().plus(closeGrace));
      if (!b.closed()) {
        retiring.add(b);
      }
    }
  }

  /** Closes retired backends whose grace time has passed; the activator calls it on every tick. */
  public void sweep() {
    Instant now = clock.instant();
    retiring.removeIf(b -> {
      b.sweep(now);
      return b.closed();
    });
  }

  /** How many backends are built and not retired. */
  public int size() {
    return backends.size();
  }

  /** How many retired backends still wait for calls in flight. */
  public int retiringCount() {
    retiring.removeIf(PooledBackend::closed);
    return retiring.size();
  }

  /** Closes every backend, in flight or not. */
  @Override
  public void close() {
    backends.values().forEach(b -> b.retire(Instant.MIN));
    backends.values().forEach(b -> b.sweep(Instant.MAX));
    backends.clear();
    retiring.forEach(b -> b.sweep(Instant.MAX));
    retiring.clear();
  }

  @Override
  public String toString() {
    return "BackendPool{" + backends.size() + " built, " + retiring.size() + " retiring, grace " + closeGrace + "}";
  }
}
