package org.binarybackends.activation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CheckOutcome;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.Transition;
import org.binarybackends.spi.Instrumentation;
import org.binarybackends.spi.MetricTags;
import org.junit.jupiter.api.Test;

/**
 * The activation's meters over the real rule: every transition the rule makes has its kind (none is
 * "other"), and the census tells the states apart and keeps a part's last pass through failed checks.
 */
class ActivationMetersTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
  private final ActivationRule rule = new ActivationRule(ActivationPolicy.builder().degradeAfter(1).recoverAfter(1)
      .build());
  private final Recording recording = new Recording();
  private final ActivationMeters meters = new ActivationMeters(recording, java.time.Clock.systemUTC(),
      java.time.Duration.ofMinutes(1), java.time.Duration.ofMinutes(5));

  /** An instrumentation keeping every counter's count by name and tags. */
  private static final class Recording implements Instrumentation {
    final Map<String, Double> counts = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name, String description, String baseUnit, MetricTags tags) {
      return amount -> counts.merge(name + tags, amount, Double::sum);
    }

    @Override
    public Timer timer(String name, String description, MetricTags tags) {
      return nanos -> counts.merge(name + tags, 1.0, Double::sum);
    }

    @Override
    public <T> Registration gauge(String name, String description, String baseUnit, MetricTags tags, T owner,
        ToDoubleFunction<T> value) {
      return () -> {};
    }
  }

  private static StorageConfiguration configuration(String id) {
    return new StorageConfiguration(id, SettingsJson.of("{\"type\":\"t\",\"bucket\":\"" + id + "\"}"),
        BackendInstanceId.of("t", Map.of("bucket", id)), Optional.empty(), PartState.pending(), PartState.pending(), T0);
  }

  private static Optional<ActivationRule.Verified> both(String id, boolean passed, Instant at) {
    CheckOutcome o = new CheckOutcome(at, passed, false, passed ? "all 7 checks passed" : "put-probe: access denied");
    return Optional.of(new ActivationRule.Verified(id, o, o));
  }

  private static List<String> kinds(List<Transition> history) {
    List<String> out = new ArrayList<>();
    history.forEach(t -> out.add(ActivationMeters.TransitionKind.of(t).tag));
    return out;
  }

  @Test
  void everyTransitionTheRuleMakesHasItsKind() {
    OrganizationState s = OrganizationState.initial(ORG).withStaged(Optional.of(configuration("cfg-1")));
    assertThat(ActivationMeters.State.of(s)).isEqualTo(ActivationMeters.State.PENDING);
    s = rule.apply(s, Optional.empty(), both("cfg-1", true, T0), T0).state();
    assertThat(ActivationMeters.State.of(s)).isEqualTo(ActivationMeters.State.OWN_STORAGE);
    s = rule.apply(s, both("cfg-1", false, T0.plusSeconds(60)), Optional.empty(), T0.plusSeconds(60)).state();
    assertThat(ActivationMeters.State.of(s)).isEqualTo(ActivationMeters.State.SUSPENDED);
    assertThat(ActivationMeters.State.of(s.withFallbackAllowed(true))).isEqualTo(ActivationMeters.State.DEGRADED);
    s = rule.apply(s, both("cfg-1", true, T0.plusSeconds(120)), Optional.empty(), T0.plusSeconds(120)).state();
    s = s.withStaged(Optional.of(configuration("cfg-2")));
    s = rule.apply(s, both("cfg-1", true, T0.plusSeconds(180)), both("cfg-2", true, T0.plusSeconds(180)),
        T0.plusSeconds(180)).state();
    assertThat(kinds(s.history())).containsExactly("activated", "activated", "switched", "degraded", "degraded",
        "recovered", "recovered", "activated", "activated", "switched");
    assertThat(ActivationMeters.State.of(OrganizationState.initial(ORG)))
        .isEqualTo(ActivationMeters.State.DEFAULT_STORAGE);

    s.history().forEach(meters::transition);
    assertThat(recording.counts).containsEntry("binary.backend.activation.transitions{kind=switched}", 2.0)
        .containsEntry("binary.backend.activation.transitions{kind=degraded}", 2.0);
  }

  @Test
  void theTransitionsTheActivatorAndTheEntryPointMakeHaveTheirKinds() {
    // the words each maker starts its change with (Activator.register, remove, forgetRetired,
    // allowFallback; BinaryBackends.offboard), as the story tests see them stored
    Map<String, String> changes = Map.of(
        "staged cfg-1 (s3{bucket=b})", "staged",
        "staged a change of s3{bucket=b} to cfg-2 (s3{bucket=c})", "staged",
        "removed cfg-1 (s3{bucket=b})", "removed",
        "forgot s3{bucket=b}", "forgot_retired",
        "allowed fallback to the default storage", "fallback_allowed",
        "disallowed fallback to the default storage", "fallback_disallowed",
        ActivationMeters.OFFBOARDED_CHANGE + " default{root=r}", "offboarded",
        "upload" + ActivationRule.WARNS + "cfg-1 (ACTIVE)", "warned",
        "something new", "other");
    changes.forEach((change, kind) -> assertThat(ActivationMeters.TransitionKind.of(new Transition(T0, "alice", change,
        "why")).tag).as(change).isEqualTo(kind));
  }

  @Test
  void checksAreCountedByPartAndOutcome() {
    meters.checked("upload", new CheckOutcome(T0, true, false, "ok"));
    meters.checked("download", new CheckOutcome(T0, false, false, "denied"));
    meters.checked("download", new CheckOutcome(T0, false, true, "throttled"));
    assertThat(recording.counts).containsEntry("binary.backend.activation.checks{outcome=passed, part=upload}", 1.0)
        .containsEntry("binary.backend.activation.checks{outcome=definite_failure, part=download}", 1.0)
        .containsEntry("binary.backend.activation.checks{outcome=retryable, part=download}", 1.0);
  }
}
