package org.binarybackends.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.binarybackends.spi.GaugeSet;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;
import org.junit.jupiter.api.Test;

class MicrometerInstrumentationTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MicrometerInstrumentation meters = MicrometerInstrumentation.of(registry);

  @Test
  void countersAndTimersLandInTheRegistryWithTheirTagsDescriptionAndUnit() {
    MetricTags tags = MetricTags.of("backend.type", "s3", "outcome", "success");
    meters.counter("binary.backend.put.bytes", "Bytes read", "bytes", tags).increment(1000);
    meters.counter("binary.backend.put.bytes", "Bytes read", "bytes", tags).increment(24);
    meters.timer("binary.backend.put", "Puts", tags).record(TimeUnit.MILLISECONDS.toNanos(250));
    meters.timer("binary.backend.put", "Puts", tags.and("x", "y")).record(1);

    var counter = registry.get("binary.backend.put.bytes").tag("backend.type", "s3").tag("outcome", "success").counter();
    assertThat(counter.count()).isEqualTo(1024);
    assertThat(counter.getId().getBaseUnit()).isEqualTo("bytes");
    assertThat(counter.getId().getDescription()).isEqualTo("Bytes read");
    var timer = registry.get("binary.backend.put").tags("backend.type", "s3", "outcome", "success").tagKeys("x");
    assertThat(timer.timers()).hasSize(1);
    var plain = registry.find("binary.backend.put").tags("backend.type", "s3", "outcome", "success").timers().stream()
        .filter(t -> t.getId().getTag("x") == null).findFirst().orElseThrow();
    assertThat(plain.count()).isEqualTo(1);
    assertThat(plain.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(250);
  }

  @Test
  void aGaugeReadsItsOwnerUntilItsRegistrationIsClosed() {
    AtomicInteger open = new AtomicInteger(3);
    Instrumentation.Registration r = meters.gauge("binary.backend.download.connections", "Open", null,
        MetricTags.empty(), open, AtomicInteger::get);
    Gauge g = registry.get("binary.backend.download.connections").gauge();
    assertThat(g.value()).isEqualTo(3);
    open.set(5);
    assertThat(g.value()).isEqualTo(5);
    r.close();
    r.close(); // idempotent
    assertThat(registry.find("binary.backend.download.connections").gauge()).isNull();
  }

  @Test
  void aGaugeSetIsOneGaugeOverItsOwnersRegisteredOncePerInstrumentation() {
    GaugeSet sum = GaugeSet.of(meters, "binary.backend.signed.url.cache.size", "Size", null,
        MetricTags.of("backend.type", "cloudfront"), GaugeSet.Reduce.SUM);
    GaugeSet min = GaugeSet.of(meters, "binary.backend.role.session.remaining", "Left", "seconds",
        MetricTags.of("hop", "customer"), GaugeSet.Reduce.MIN);
    Instrumentation.Registration a = sum.add(() -> 10);
    Instrumentation.Registration b = GaugeSet.of(meters, "binary.backend.signed.url.cache.size", "Size", null,
        MetricTags.of("backend.type", "cloudfront"), GaugeSet.Reduce.SUM).add(() -> 5);
    assertThat(registry.find("binary.backend.signed.url.cache.size").gauges()).hasSize(1);
    assertThat(registry.get("binary.backend.signed.url.cache.size").gauge().value()).isEqualTo(15);
    a.close();
    assertThat(registry.get("binary.backend.signed.url.cache.size").gauge().value()).isEqualTo(5);
    b.close();
    assertThat(registry.get("binary.backend.signed.url.cache.size").gauge().value()).isZero();

    assertThat(registry.get("binary.backend.role.session.remaining").gauge().value()).as("no session: no value").isNaN();
    Instrumentation.Registration s1 = min.add(() -> 3000);
    min.add(() -> 120);
    min.add(() -> Double.NaN); // a cache without a session yet
    assertThat(registry.get("binary.backend.role.session.remaining").gauge().value()).isEqualTo(120);
    s1.close();
    assertThat(min.owners()).isEqualTo(2);
    assertThatThrownBy(() -> GaugeSet.of(meters, "binary.backend.role.session.remaining", "Left", "seconds",
        MetricTags.of("hop", "customer"), GaugeSet.Reduce.SUM)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MIN");
  }

  @Test
  void aSecondGaugeOfTheSameIdIsRefusedAndLeavesTheFirstInPlace() {
    AtomicInteger first = new AtomicInteger(1);
    AtomicInteger second = new AtomicInteger(2);
    Instrumentation.Registration r1 = meters.gauge("binary.backend.activation.checks.overdue", "Overdue", null,
        MetricTags.empty(), first, AtomicInteger::get);
    Instrumentation.Registration r2 = MicrometerInstrumentation.of(registry).gauge("binary.backend.activation.checks.overdue",
        "Overdue", null, MetricTags.empty(), second, AtomicInteger::get);
    assertThat(registry.get("binary.backend.activation.checks.overdue").gauge().value()).isEqualTo(1);
    r2.close();
    assertThat(registry.get("binary.backend.activation.checks.overdue").gauge().value())
        .as("closing the refused one removes nothing").isEqualTo(1);
    // told apart by a common tag, both are kept
    MicrometerInstrumentation.of(registry, "instance", "b").gauge("binary.backend.activation.checks.overdue",
        "Overdue", null, MetricTags.empty(), second, AtomicInteger::get);
    assertThat(registry.find("binary.backend.activation.checks.overdue").gauges()).hasSize(2);
    r1.close();
    assertThat(registry.find("binary.backend.activation.checks.overdue").gauges()).hasSize(1);
    // once the first is gone, its id may be registered again
    MicrometerInstrumentation.of(registry).gauge("binary.backend.activation.checks.overdue", "Overdue", null,
        MetricTags.empty(), second, AtomicInteger::get);
    assertThat(registry.get("binary.backend.activation.checks.overdue").tags().gauges()).hasSize(2);
    assertThat(MicrometerInstrumentation.of(registry)).isEqualTo(meters).hasSameHashCodeAs(meters)
        .isNotEqualTo(MicrometerInstrumentation.of(registry, "instance", "b"))
        .isNotEqualTo(MicrometerInstrumentation.of(new SimpleMeterRegistry()));
  }

  @Test
  void commonTagsGoOnEveryMeter() {
    MicrometerInstrumentation tagged = MicrometerInstrumentation.of(registry, "service", "firmware");
    tagged.counter("binary.backend.signatures", "Signatures", null, MetricTags.of("algorithm", "rsa-2048")).increment();
    tagged.gauge("binary.backend.activation.checks.overdue", "Overdue", null, MetricTags.empty(), this, t -> 1);
    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().getTag("service")).as(m.getId().toString()).isEqualTo("firmware");
    }
    assertThat(registry.getMeters()).hasSize(2);
    assertThat(tagged.toString()).contains("SimpleMeterRegistry", "firmware");
  }

  @Test
  void tagsNamingAnOrganizationOrAKeyAreRefusedAndTheValueIsNotEchoed() {
    for (String key : MetricTags.FORBIDDEN_KEYS) {
      assertThatThrownBy(() -> MetricTags.of(key, "acme-corp")).as(key).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + key + "' is not allowed").hasMessageNotContaining("acme-corp");
      assertThatThrownBy(() -> MicrometerInstrumentation.of(registry, key, "acme-corp"))
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> MetricTags.of("outcome", "two words")).hasMessageNotContaining("two words")
        .hasMessageContaining("printable ASCII");
    assertThatThrownBy(() -> MetricTags.of("Outcome", "x")).hasMessageContaining("dotted lower-case");
    assertThatThrownBy(() -> MetricTags.of("a")).hasMessageContaining("alternate");
    assertThatThrownBy(() -> MetricTags.of("a", "1", "a", "2")).hasMessageContaining("twice");
    assertThatThrownBy(() -> MetricTags.of("a", "1").and("a", "2")).hasMessageContaining("twice");
    assertThat(MetricTags.of("b", "2", "a", "1").keysAndValues()).containsExactly("a", "1", "b", "2");
  }

  @Test
  void withoutABindingNothingIsKept() {
    Instrumentation none = Instrumentation.none();
    none.counter("x", "x", null, MetricTags.empty()).increment(5);
    none.timer("x", "x", MetricTags.empty()).record(5);
    none.gauge("x", "x", null, MetricTags.empty(), this, t -> 1).close();
    GaugeSet set = GaugeSet.of(none, "x", "x", null, MetricTags.empty(), GaugeSet.Reduce.SUM);
    set.add(() -> 7);
    assertThat(set.owners()).as("an unmeasured set keeps no owner alive").isZero();
  }
}
