package org.binarybackends.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library's meters in a Micrometer {@link MeterRegistry}, bound to the entry point in one call:
 *
 * <pre>{@code
 * BinaryBackends binaries = BinaryBackends.builder()
 *     ...
 *     .instrumentation(MicrometerInstrumentation.of(meterRegistry))
 *     .build();
 * }</pre>
 *
 * <p>Names are Micrometer's dotted names ({@code binary.backend.put}); the registry's naming
 * convention renders them for its backend ({@code binary_backend_put_seconds} in Prometheus). Every
 * meter has the common tags given here (the service, say) and its own, which are of low cardinality
 * only: never an organization or a key. The meters are listed in the README ("Metrics").
 *
 * <p>Why plain meters rather than the Observation API or OpenTelemetry's: the library's operations
 * are already measured at one place (the entry point wraps every backend), and what a platform alerts
 * on here is counts, durations and gauges; an observation would add a span per operation the
 * library cannot give a useful parent to (the caller's request is the caller's), and OpenTelemetry's
 * API would make every user without it carry it. A service exporting to OpenTelemetry binds its
 * Micrometer registry to it (Micrometer's OTLP registry or OpenTelemetry's Micrometer bridge).
 */
public final class MicrometerInstrumentation implements Instrumentation {
  private static final Logger LOG = LoggerFactory.getLogger(MicrometerInstrumentation.class);
  /** Per registry, the ids of the gauges bindings registered there. */
  private static final Map<MeterRegistry, Set<List<Object>>> GAUGES = new WeakHashMap<>();

  private final MeterRegistry registry;
  private final Tags common;

  private MicrometerInstrumentation(MeterRegistry registry, Tags common) {
    this.registry = registry;
    this.common = common;
  }

  /** The library's meters in {@code registry}. */
  public static MicrometerInstrumentation of(MeterRegistry registry) {
    return new MicrometerInstrumentation(Objects.requireNonNull(registry, "registry"), Tags.empty());
  }

  /**
   * The library's meters in {@code registry}, each with {@code commonTags} too (keys and values
   * alternating, checked as {@link MetricTags#of} checks them): to tell two {@code BinaryBackends} in
   * one process apart, say.
   *
   * @throws IllegalArgumentException as {@link MetricTags#of} does
   */
  public static MicrometerInstrumentation of(MeterRegistry registry, String... commonTags) {
    return new MicrometerInstrumentation(Objects.requireNonNull(registry, "registry"), tags(MetricTags.of(commonTags)));
  }

  /** The registry the meters are in. */
  public MeterRegistry registry() {
    return registry;
  }

  private static Tags tags(MetricTags tags) {
    List<Tag> out = new ArrayList<>(tags.asMap().size());
    tags.asMap().forEach((k, v) -> out.add(Tag.of(k, v)));
    return Tags.of(out);
  }

  private Tags all(MetricTags tags) {
    return common.and(tags(tags));
  }

  @Override
  public Instrumentation.Counter counter(String name, String description, String baseUnit, MetricTags tags) {
    io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder(name).description(description).baseUnit(baseUnit).tags(all(tags)).register(registry);
    return c::increment;
  }

  @Override
  public Instrumentation.Timer timer(String name, String description, MetricTags tags) {
    io.micrometer.core.instrument.Timer t = io.micrometer.core.instrument.Timer.builder(name).description(description).tags(all(tags)).register(registry);
    return nanos -> t.record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A gauge in the registry reading {@code owner}. Micrometer keeps the first gauge of an id and hands
   * it back to a second registration: the second owner would never be read, and removing "its" gauge
   * would remove the first's. So this binding keeps the ids of the gauges it registered per registry,
   * and a second gauge of the same id (two {@code BinaryBackends} sharing a registry without common
   * tags to tell them apart) is refused with a warning and not registered.
   */
  @Override
  public <T> Registration gauge(String name, String description, String baseUnit, MetricTags tags, T owner,
      ToDoubleFunction<T> value) {
    Tags all = all(tags);
    List<Object> id = List.of(name, all);
    Set<List<Object>> taken;
    synchronized (GAUGES) {
      taken = GAUGES.computeIfAbsent(registry, r -> ConcurrentHashMap.newKeySet());
    }
    if (!taken.add(id)) {
      LOG.warn("The gauge {}{} is registered already in this registry: this one is not. Two BinaryBackends sharing"
          + " a registry need common tags to tell them apart: MicrometerInstrumentation.of(registry, \"instance\","
          + " \"...\")", name, all);
      return () -> {};
    }
    Gauge g = Gauge.builder(name, owner, value).description(description).baseUnit(baseUnit).tags(all)
        .strongReference(true).register(registry);
    AtomicBoolean removed = new AtomicBoolean();
    return () -> {
      if (removed.compareAndSet(false, true)) {
        registry.remove(g);
        taken.remove(id);
      }
    };
  }

  /**
   * Equal to another binding of the same registry with the same common tags: their meters are the
   * same meters, and the library's gauge sets ({@link org.binarybackends.spi.GaugeSet}) are shared
   * between them.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof MicrometerInstrumentation && ((MicrometerInstrumentation) o).registry == registry
        && ((MicrometerInstrumentation) o).common.equals(common);
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(registry) * 31 + common.hashCode();
  }

  @Override
  public String toString() {
    return "MicrometerInstrumentation{" + registry.getClass().getSimpleName() + (common.stream().findAny().isPresent()
        ? ", " + common : "") + "}";
  }
}
