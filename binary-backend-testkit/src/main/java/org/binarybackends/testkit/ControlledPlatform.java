package org.binarybackends.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.activation.ActivationEvent;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.InMemoryStateStore;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.spi.BackendContext;

/**
 * A platform for activation tests, wired as a service wires one ({@link BinaryBackends}), on backends
 * whose verification the test decides ({@link ControlledBackendProvider}, type {@code controlled}),
 * a {@link ManualClock} and no schedule (checks run when the test says): no hand wiring of pools,
 * resolvers and activators. {@link #anotherInstance()} is a second service instance on the same
 * store, as a load-balanced platform runs. Close it to close every instance.
 *
 * <pre>{@code
 * try (ControlledPlatform platform = ControlledPlatform.start()) {
 *   platform.binaries().register(org, ControlledPlatform.settings("bucket-1"), "alice");
 *   platform.provider().control("bucket-1").fail("the role trusts no one");
 *   platform.binaries().check(org);
 * }
 * }</pre>
 */
public final class ControlledPlatform implements AutoCloseable {
  /** The instance of the default storage every instance shares. */
  public static final String DEFAULT_STORAGE = "platform-default";
  /** How long a replaced configuration's backend stays open, unless a test says otherwise. */
  public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofHours(1);

  private final ManualClock clock;
  private final ControlledBackendProvider provider = new ControlledBackendProvider();
  private final OrganizationStateStore store;
  private final ActivationPolicy policy;
  private final Duration closeGrace;
  private final BinaryBackends binaries;
  private final List<BinaryBackends> instances = new ArrayList<>();
  private final List<ActivationEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

  private ControlledPlatform(ManualClock clock, OrganizationStateStore store, ActivationPolicy policy,
      Duration closeGrace) {
    this.clock = clock;
    this.store = store;
    this.policy = policy;
    this.closeGrace = closeGrace;
    this.binaries = instance(store);
  }

  /**
   * A platform on an in-memory store that lets organizations register {@code controlled} storage,
   * checks without jitter, on a clock at {@code 2026-12-01T12:00:00Z}.
   */
  public static ControlledPlatform start() {
    return start(new InMemoryStateStore(), ActivationPolicy.builder().jitter(0).allowedTypes("controlled").build(),
        DEFAULT_CLOSE_GRACE);
  }

  /**
   * A platform on {@code store} (which must keep notes too, as the library's stores do) with
   * {@code policy}, replaced configurations' backends closed after {@code closeGrace}.
   */
  public static ControlledPlatform start(OrganizationStateStore store, ActivationPolicy policy, Duration closeGrace) {
    return new ControlledPlatform(new ManualClock(Instant.parse("2026-12-01T12:00:00Z")), Objects.requireNonNull(store),
        Objects.requireNonNull(policy), Objects.requireNonNull(closeGrace));
  }

  /** The settings of the controlled instance {@code name}, as an organization registers them. */
  public static SettingsJson settings(String name) {
    return SettingsJson.of(ControlledBackendProvider.settingsJson(name));
  }

  private BinaryBackends instance(OrganizationStateStore states) {
    BinaryBackends.Builder builder = BinaryBackends.builder().stateStore(states)
        .defaultStorage(new ControlledBackendProvider.Settings(DEFAULT_STORAGE))
        .registry(BinaryBackendRegistry.of(provider)).context(BackendContext.builder().clock(clock).build())
        .policy(policy).closeGrace(closeGrace).scheduled(false);
    if (instances.isEmpty()) {
      builder.listener(events::add);
    }
    BinaryBackends b = builder.build();
    instances.add(b);
    return b;
  }

  /** The service instance the test drives. */
  public BinaryBackends binaries() {
    return binaries;
  }

  /**
   * Another service instance on the same store and storage (its own pool, resolver, activator and
   * caches), as a second host behind a load balancer; closed with this platform.
   */
  public BinaryBackends anotherInstance() {
    return instance(new ForwardingStateStore(store)); // closing it closes nothing: the first instance closes the store
  }

  /**
   * Another service instance with a store of its own on the same data ({@code store}: another
   * client of the same database, with its own leases and change feed), as another host has;
   * closed with this platform.
   */
  public BinaryBackends anotherInstance(OrganizationStateStore store) {
    return instance(Objects.requireNonNull(store, "store"));
  }

  /** Every transition the first instance ({@link #binaries()}) stored, in order. */
  public List<ActivationEvent> events() {
    return java.util.Collections.unmodifiableList(events);
  }

  /** What each controlled instance answers and holds. */
  public ControlledBackendProvider provider() {
    return provider;
  }

  /** The clock every instance reads. */
  public ManualClock clock() {
    return clock;
  }

  /** The store every instance shares. */
  public OrganizationStateStore store() {
    return store;
  }

  /** Closes every instance, then the store. */
  @Override
  public void close() {
    for (int i = instances.size() - 1; i >= 0; i--) {
      instances.get(i).close();
    }
  }
}
