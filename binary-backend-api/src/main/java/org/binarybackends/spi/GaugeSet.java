package org.binarybackends.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * One gauge over many owners: the sessions of every organization's role chain, the URL caches of
 * every CloudFront backend. Each owner {@link #add adds} its value while it lives; the gauge reports
 * their sum (or the least, or the greatest) and is registered once per {@link Instrumentation}, under
 * one name and tags whatever the number of owners: a gauge per owner would be a time series per
 * organization. Thread-safe.
 */
public final class GaugeSet {
  /** How the owners' values make the gauge's. */
  public enum Reduce {
    /** Their sum; 0 without owners. */
    SUM,
    /** The least; NaN (no value) without owners. */
    MIN,
    /** The greatest; NaN (no value) without owners. */
    MAX
  }

  /** Per instrumentation, its gauge sets by name and tags; an instrumentation gone takes its sets with it. */
  private static final Map<Instrumentation, Map<List<Object>, GaugeSet>> SETS =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** Where nothing is measured: it keeps no owner (so none is kept alive by it). */
  private static final GaugeSet UNMEASURED = new GaugeSet(Reduce.SUM, false);

  private final Reduce reduce;
  private final boolean measured;
  private final Set<DoubleSupplier> owners = ConcurrentHashMap.newKeySet();

  private GaugeSet(Reduce reduce, boolean measured) {
    this.reduce = reduce;
    this.measured = measured;
  }

  /**
   * The gauge set of this name and tags in {@code meters}, registered there on first use; later
   * calls with the same name and tags get the same set (and must ask for the same reduction).
   *
   * @throws IllegalArgumentException if the set exists with another reduction
   */
  public static GaugeSet of(Instrumentation meters, String name, String description, String baseUnit, MetricTags tags,
      Reduce reduce) {
    if (meters == Instrumentation.none()) {
      return UNMEASURED;
    }
    List<Object> id = List.of(name, tags);
    Map<List<Object>, GaugeSet> sets;
    synchronized (SETS) {
      sets = SETS.computeIfAbsent(meters, m -> new HashMap<>());
    }
    synchronized (sets) {
      GaugeSet set = sets.get(id);
      if (set == null) {
        set = new GaugeSet(reduce, true);
        meters.gauge(name, description, baseUnit, tags, set, GaugeSet::value);
        sets.put(id, set);
      } else if (set.reduce != reduce) {
        throw new IllegalArgumentException("gauge " + name + tags + " is reduced by " + set.reduce + ", not " + reduce);
      }
      return set;
    }
  }

  /** Adds an owner's value, read at every reading of the gauge, until the registration is closed. */
  public Instrumentation.Registration add(DoubleSupplier value) {
    // a wrapper per registration: one supplier added twice counts twice, and each close removes its own
    if (!measured) {
      return Instrumentation.none().gauge("", "", null, MetricTags.empty(), this, g -> 0);
    }
    DoubleSupplier own = value::getAsDouble;
    owners.add(own);
    return () -> owners.remove(own);
  }

  /** The gauge's value now. */
  public double value() {
    List<Double> values = new ArrayList<>(owners.size());
    for (DoubleSupplier s : owners) {
      double v = s.getAsDouble();
      if (!Double.isNaN(v)) {
        values.add(v);
      }
    }
    switch (reduce) {
      case SUM:
        return values.stream().mapToDouble(Double::doubleValue).sum();
      case MIN:
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
      default:
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
  }

  /** How many owners it has now. */
  public int owners() {
    return owners.size();
  }
}
