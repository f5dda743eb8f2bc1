package org.binarybackends.activation.internal;

import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CheckOutcome;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.Transition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.OrganizationId;
import org.junit.jupiter.api.Test;

/** The activation rule alone: a state and one check's outcomes in, the next state and its transitions out. */
class ActivationRuleTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final Instant T0 = Instant.parse("2026-12-01T12:00:00Z");
  private final ActivationRule rule = new ActivationRule(ActivationPolicy.builder().degradeAfter(3).recoverAfter(2)
      .build());

  private static StorageConfiguration configuration(String id, String bucket) {
    return new StorageConfiguration(id, SettingsJson.of("{\"type\":\"t\",\"bucket\":\"" + bucket + "\"}"),
        BackendInstanceId.of("t", java.util.Map.of("bucket", bucket)), Optional.empty(), PartState.pending(),
        PartState.pending(), T0);
  }

  private static OrganizationState staged(StorageConfiguration c) {
    return OrganizationState.initial(ORG).withStaged(Optional.of(c));
  }

  private static CheckOutcome pass(Instant at) {
    return new CheckOutcome(at, true, false, "all 7 checks passed");
  }

  private static CheckOutcome definite(Instant at) {
    return new CheckOutcome(at, false, false, "put-probe: access denied");
  }

  private static CheckOutcome retryable(Instant at) {
    return new CheckOutcome(at, false, true, "S3 SlowDown");
  }

  private static Optional<ActivationRule.Verified> both(String id, CheckOutcome o) {
    return Optional.of(new ActivationRule.Verified(id, o, o));
  }

  private OrganizationState active(StorageConfiguration c) {
    return rule.apply(staged(c), Optional.empty(), both(c.id(), pass(T0)), T0).state();
  }

  @Test
  void aStagedConfigurationSwitchesOnlyWhenBothItsConfigurationsPass() {
    StorageConfiguration c = configuration("cfg-1", "b1");
    OrganizationState s = staged(c);
    OrganizationState half = rule.apply(s, Optional.empty(), Optional.of(new ActivationRule.Verified("cfg-1",
        pass(T0), definite(T0))), T0).state();
    assertThat(half.active()).isEmpty();
    assertThat(half.staged().orElseThrow().uploadState().status()).isEqualTo(PartStatus.ACTIVE);
    assertThat(half.staged().orElseThrow().downloadState().status()).isEqualTo(PartStatus.PENDING);
    assertThat(half.history()).extracting(Transition::change)
        .containsExactly("upload configuration of cfg-1 PENDING -> ACTIVE");

    ActivationRule.Step step = rule.apply(half, Optional.empty(), both("cfg-1", pass(T0.plusSeconds(30))),
        T0.plusSeconds(30));
    assertThat(step.state().staged()).isEmpty();
    assertThat(step.state().active().orElseThrow().fullyActive()).isTrue();
    assertThat(step.left()).isEmpty();
    assertThat(step.state().history()).extracting(Transition::change).endsWith(
        "download configuration of cfg-1 PENDING -> ACTIVE", "switched to cfg-1 (t{bucket=b1})");
    assertThat(step.state().history()).last().satisfies(t -> {
      assertThat(t.at()).isEqualTo(T0.plusSeconds(30));
      assertThat(t.actor()).isEqualTo("activator");
      assertThat(t.reason()).contains("binaries stored before stay on the default storage");
    });
  }

  @Test
  void retryableFailuresNeverDegradeDefiniteOnesDoAfterThePolicysCountAndPassesRecover() {
    StorageConfiguration c = configuration("cfg-1", "b1");
    OrganizationState s = active(c);
    for (int i = 0; i < 10; i++) {
      s = rule.apply(s, both("cfg-1", retryable(T0.plusSeconds(i))), Optional.empty(), T0.plusSeconds(i)).state();
    }
    assertThat(s.active().orElseThrow().uploadState().status()).isEqualTo(PartStatus.ACTIVE);
    assertThat(s.active().orElseThrow().uploadState().reason()).isEqualTo("S3 SlowDown");
    for (int i = 1; i <= 2; i++) {
      s = rule.apply(s, both("cfg-1", definite(T0)), Optional.empty(), T0).state();
      assertThat(s.active().orElseThrow().uploadState().definiteFailures()).isEqualTo(i);
      assertThat(s.active().orElseThrow().degraded()).isFalse();
    }
    s = rule.apply(s, both("cfg-1", retryable(T0)), Optional.empty(), T0).state();
    assertThat(s.active().orElseThrow().uploadState().definiteFailures()).as("a retryable one keeps the count").isEqualTo(2);
    s = rule.apply(s, both("cfg-1", definite(T0)), Optional.empty(), T0).state();
    assertThat(s.active().orElseThrow().uploadState().status()).isEqualTo(PartStatus.DEGRADED);
    assertThat(UploadRoute.of(s).to()).isEqualTo(OrganizationStatus.UploadsGoTo.NOWHERE);
    s = rule.apply(s, both("cfg-1", pass(T0)), Optional.empty(), T0).state();
    assertThat(s.active().orElseThrow().uploadState().status()).as("one pass is not enough").isEqualTo(PartStatus.DEGRADED);
    s = rule.apply(s, both("cfg-1", pass(T0)), Optional.empty(), T0).state();
    assertThat(s.active().orElseThrow().uploadState().status()).isEqualTo(PartStatus.ACTIVE);
    assertThat(s.history()).extracting(Transition::change).contains("upload configuration of cfg-1 ACTIVE -> DEGRADED",
        "upload configuration of cfg-1 DEGRADED -> ACTIVE");
  }

  @Test
  void aStagedChangeReplacesTheActiveConfigurationWhichLeavesAndIsRetired() {
    StorageConfiguration old = configuration("cfg-1", "b1");
    StorageConfiguration change = configuration("cfg-2", "b2");
    OrganizationState s = active(old).withStaged(Optional.of(change));
    ActivationRule.Step step = rule.apply(s, both("cfg-1", pass(T0)), both("cfg-2", pass(T0)), T0);
    assertThat(step.state().active().orElseThrow().id()).isEqualTo("cfg-2");
    assertThat(step.left()).extracting(StorageConfiguration::id).containsExactly("cfg-1");
    assertThat(step.state().retired()).containsKey(old.uploadInstance());
    assertThat(step.state().history()).last().extracting(Transition::change)
        .isEqualTo("switched to cfg-2 (t{bucket=b2}), replacing cfg-1 (t{bucket=b1})");
  }

  @Test
  void anOutcomeForAConfigurationNoLongerThereIsIgnored() {
    // cfg-1 was verified, then another instance replaced it by cfg-2 before this one stored the outcome
    OrganizationState s = staged(configuration("cfg-2", "b2"));
    ActivationRule.Step step = rule.apply(s, both("cfg-1", pass(T0)), both("cfg-1", pass(T0)), T0);
    assertThat(step.state()).isEqualTo(s);
    assertThat(step.left()).isEmpty();
  }

  @Test
  void newWarningsOfAPassingConfigurationAreRecordedOnceAndTheSameOnesNotAgain() {
    StorageConfiguration c = configuration("cfg-1", "b1");
    OrganizationState s = active(c);
    CheckOutcome warned = new CheckOutcome(T0, true, false, "all 7 checks passed" + ActivationRule.WARNINGS
        + "abort-multipart: the role may not abort");
    OrganizationState once = rule.apply(s, both("cfg-1", warned), Optional.empty(), T0).state();
    assertThat(once.history().subList(s.history().size(), once.history().size())).extracting(Transition::change)
        .containsExactly("upload configuration warns: cfg-1 (ACTIVE)", "download configuration warns: cfg-1 (ACTIVE)");
    OrganizationState again = rule.apply(once, both("cfg-1", warned), Optional.empty(), T0.plus(Duration.ofMinutes(15)))
        .state();
    assertThat(again.history()).hasSameSizeAs(once.history());
  }
}
