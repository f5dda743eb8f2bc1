package org.binarybackends.activation.internal;

import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.CheckOutcome;
import org.binarybackends.activation.OrganizationState;
import org.binarybackends.activation.PartState;
import org.binarybackends.activation.PartStatus;
import org.binarybackends.activation.StorageConfiguration;
import org.binarybackends.activation.Transition;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The activation rule, as one pure function: an organization's state and the outcomes of one check
 * in, the next state (its new transitions appended to its history) out. No I/O, no clock: the
 * {@link Activator} verifies, stores with compare-and-set, tells the resolver and schedules; this
 * decides.
 *
 * <ul>
 *   <li>A part (upload or download configuration) becomes {@code ACTIVE} on a pass; an active one
 *       becomes {@code DEGRADED} after {@link ActivationPolicy#degradeAfter()} consecutive definite
 *       failures, and a degraded one {@code ACTIVE} again after {@link ActivationPolicy#recoverAfter()}
 *       consecutive passes. A retryable failure (throttling, a timeout, a 5xx) counts for neither.
 *   <li>A staged configuration both of whose parts are active replaces the active one, which is
 *       retired (its binaries stay readable there).
 *   <li>An outcome for a configuration the state no longer holds (replaced meanwhile by another
 *       instance) is ignored.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class ActivationRule {
  static final String ACTOR = "activator";
  /** How a passing check's warnings are appended to its reason. */
  static final String WARNINGS = ", with warnings: ";
  /** The change of a transition that records new warnings. */
  static final String WARNS = " configuration warns: ";

  private final ActivationPolicy policy;

  ActivationRule(ActivationPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /**
   * The outcomes of verifying one configuration.
   *
   * @param configurationId the id of the configuration verified
   * @param upload the upload configuration's outcome
   * @param download the download configuration's (the upload's, when one backend serves both)
   */
  record Verified(String configurationId, CheckOutcome upload, CheckOutcome download) {
    Verified {
      Objects.requireNonNull(configurationId, "configurationId");
      Objects.requireNonNull(upload, "upload");
      Objects.requireNonNull(download, "download");
    }
  }

  /**
   * The result of one check.
   *
   * @param state the next state, its new transitions appended to its history
   * @param left configurations that stopped serving (an active one replaced by the staged one)
   */
  record Step(OrganizationState state, List<StorageConfiguration> left) {
    Step {
      Objects.requireNonNull(state, "state");
      left = List.copyOf(left);
    }
  }

  /** Applies one check's outcomes (each for the active or the staged configuration, if verified) at {@code now}. */
  Step apply(OrganizationState s, Optional<Verified> active, Optional<Verified> staged, Instant now) {
    OrganizationState next = s;
    if (active.isPresent() && s.active().isPresent() && s.active().get().id().equals(active.get().configurationId())) {
      next = applyTo(next, s.active().get(), active.get(), true, now);
    }
    if (staged.isPresent() && s.staged().isPresent() && s.staged().get().id().equals(staged.get().configurationId())) {
      next = applyTo(next, s.staged().get(), staged.get(), false, now);
    }
    List<StorageConfiguration> left = new ArrayList<>();
    if (next.staged().isPresent() && next.staged().get().fullyActive()) {
      StorageConfiguration promoted = next.staged().get();
      Optional<StorageConfiguration> old = next.active();
      next = next.withActive(Optional.of(promoted)).withStaged(Optional.empty());
      if (old.isPresent()) {
        left.add(old.get());
        next = next.withRetired(old.get());
      }
      next = next.with(new Transition(now, ACTOR, "switched to " + promoted.id() + " (" + promoted.uploadInstance() + ")"
          + old.map(o -> ", replacing " + o.id() + " (" + o.uploadInstance() + ")").orElse(""),
          "its upload and download configurations verified active; new uploads go there" + old.map(o
              -> "; binaries stored in " + o.uploadInstance() + " stay readable there")
              .orElse("; binaries stored before stay on the default storage")));
    }
    return new Step(next, left);
  }

  private OrganizationState applyTo(OrganizationState s, StorageConfiguration c, Verified v, boolean isActive,
      Instant now) {
    PartState upload = next(c.uploadState(), v.upload());
    PartState download = next(c.downloadState(), v.download());
    StorageConfiguration updated = c.withStates(upload, download);
    OrganizationState out = isActive ? s.withActive(Optional.of(updated)) : s.withStaged(Optional.of(updated));
    out = transition(out, c, "upload", c.uploadState(), upload, now);
    return transition(out, c, "download", c.downloadState(), download, now);
  }

  private static OrganizationState transition(OrganizationState s, StorageConfiguration c, String part, PartState from,
      PartState to, Instant now) {
    if (from.status() == to.status()) {
      String warnings = warnings(to);
      if (!warnings.isEmpty() && !warnings.equals(warnings(from))) {
        // a passing check's warnings are kept in the part's last check; new ones also in the history
        // (and so logged, once: the next checks with the same warnings add nothing)
        return s.with(new Transition(now, ACTOR, part + WARNS + c.id() + " (" + to.status() + ")", warnings));
      }
      return s;
    }
    return s.with(new Transition(now, ACTOR, part + " configuration of " + c.id() + " " + from.status() + " -> "
        + to.status(), to.reason()));
  }

  /** The warnings of a part's last check, if it passed with some; "" otherwise. */
  private static String warnings(PartState state) {
    return state.lastCheck().filter(CheckOutcome::passed).map(CheckOutcome::reason)
        .filter(r -> r.contains(WARNINGS)).map(r -> r.substring(r.indexOf(WARNINGS) + WARNINGS.length())).orElse("");
  }

  /** The rule for one part and one check. */
  PartState next(PartState current, CheckOutcome outcome) {
    if (outcome.passed()) {
      int passes = current.passes() + 1;
      PartStatus status = current.status() == PartStatus.DEGRADED && passes < policy.recoverAfter()
          ? PartStatus.DEGRADED : PartStatus.ACTIVE;
      return new PartState(status, Optional.of(outcome), 0, passes);
    }
    if (outcome.retryable()) {
      return new PartState(current.status(), Optional.of(outcome), current.definiteFailures(), current.passes());
    }
    int failures = current.definiteFailures() + 1;
    PartStatus status = current.status() == PartStatus.ACTIVE && failures >= policy.degradeAfter()
        ? PartStatus.DEGRADED : current.status();
    return new PartState(status, Optional.of(outcome), failures, 0);
  }
}
