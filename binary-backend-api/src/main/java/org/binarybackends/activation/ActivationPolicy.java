package org.binarybackends.activation;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Violation;

/**
 * When {@link org.binarybackends.BinaryBackends} checks organizations and how many checks move a state. Immutable;
 * {@link #defaults()} or {@link #builder()}.
 *
 * <ul>
 *   <li>A pending configuration is checked after {@code pendingFirstDelay}, then after delays that
 *       double up to {@code pendingMaxDelay}: the customer may apply the trust policy in a minute or
 *       in a week.
 *   <li>An active one every {@code activeInterval}; a degraded one every {@code degradedInterval}.
 *   <li>Every delay is spread by up to ±{@code jitter} (a fraction) so that many organizations
 *       registered together are not checked in lockstep.
 *   <li>An active part degrades after {@code degradeAfter} consecutive definite failures, and a
 *       degraded one recovers after {@code recoverAfter} consecutive passes. A retryable failure
 *       (throttling, a timeout, a 5xx) neither degrades nor resets these counts.
 *   <li>What an organization may register, since its settings are untrusted input: only backend
 *       types in {@code allowedTypes} ({@code s3} and {@code cloudfront} unless the platform says
 *       otherwise: a {@code default} storage named by an organization could name the platform's own
 *       root), and settings that redirect requests to a host they name ({@code s3Endpoint}, {@code
 *       stsEndpoint}, CloudFront's {@code endpoint}) only with {@code allowEndpointOverrides}, for
 *       S3-compatible stores and tests: through them the platform would send its own signed
 *       requests, and probes, to any host the organization picked.
 * </ul>
 */
public final class ActivationPolicy {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final ActivationPolicy DEFAULTS = builder().build();

  private final Duration pendingFirstDelay;
  private final Duration pendingMaxDelay;
  private final Duration activeInterval;
  private final Duration degradedInterval;
  private final double jitter;
  private final int degradeAfter;
  private final int recoverAfter;
  private final Set<String> allowedTypes;
  private final boolean endpointOverridesAllowed;
  private final Duration checkLease;

  private ActivationPolicy(Builder b) {
    this.pendingFirstDelay = b.pendingFirstDelay;
    this.pendingMaxDelay = b.pendingMaxDelay;
    this.activeInterval = b.activeInterval;
    this.degradedInterval = b.degradedInterval;
    this.jitter = b.jitter;
    this.degradeAfter = b.degradeAfter;
    this.recoverAfter = b.recoverAfter;
    this.allowedTypes = Set.copyOf(b.allowedTypes);
    this.endpointOverridesAllowed = b.endpointOverridesAllowed;
    this.checkLease = b.checkLease;
  }

  /** 30 s first, doubling to 30 min, for pending; 15 min active; 1 min degraded; ±20%; 3 to degrade, 2 to recover. */
  public static ActivationPolicy defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Duration pendingFirstDelay() {
    return pendingFirstDelay;
  }

  public Duration pendingMaxDelay() {
    return pendingMaxDelay;
  }

  public Duration activeInterval() {
    return activeInterval;
  }

  public Duration degradedInterval() {
    return degradedInterval;
  }

  public double jitter() {
    return jitter;
  }

  public int degradeAfter() {
    return degradeAfter;
  }

  public int recoverAfter() {
    return recoverAfter;
  }

  /** The backend types an organization may register: {@code s3} and {@code cloudfront} by default. */
  public Set<String> allowedTypes() {
    return allowedTypes;
  }

  /** Whether organizations' settings may redirect requests to hosts they name; {@code false} by default. */
  public boolean endpointOverridesAllowed() {
    return endpointOverridesAllowed;
  }

  /**
   * How long an instance holds an organization's check (5 min unless set): no other instance checks
   * it meanwhile; one that stops (killed, paused) loses it after this long, and another takes over.
   * Longer than the slowest verification.
   */
  public Duration checkLease() {
    return checkLease;
  }

  /** The delay before the {@code attempt}-th re-check of a pending configuration (1-based), before jitter. */
  public Duration pendingDelay(int attempt) {
    Duration d = pendingFirstDelay;
    for (int i = 1; i < attempt && d.compareTo(pendingMaxDelay) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(pendingMaxDelay) > 0 ? pendingMaxDelay : d;
  }

  @Override
  public String toString() {
    return "ActivationPolicy{pending " + pendingFirstDelay + " doubling to " + pendingMaxDelay + ", active every "
        + activeInterval + ", degraded every " + degradedInterval + ", jitter " + jitter + ", degrade after "
        + degradeAfter + ", recover after " + recoverAfter + ", types " + new TreeSet<>(allowedTypes)
        + (endpointOverridesAllowed ? ", endpoint overrides allowed" : "") + ", check lease " + checkLease + "}";
  }

  /** Builds an {@link ActivationPolicy}; {@link #build()} reports every violation. Not thread-safe. */
  public static final class Builder {
    private Duration pendingFirstDelay = Duration.ofSeconds(30);
    private Duration pendingMaxDelay = Duration.ofMinutes(30);
    private Duration activeInterval = Duration.ofMinutes(15);
    private Duration degradedInterval = Duration.ofMinutes(1);
    private double jitter = 0.2;
    private int degradeAfter = 3;
    private int recoverAfter = 2;
    private Set<String> allowedTypes = new TreeSet<>(List.of("cloudfront", "s3"));
    private boolean endpointOverridesAllowed;
    private Duration checkLease = Duration.ofMinutes(5);

    private Builder() {}

    /** The backend types organizations may register, replacing the default {@code s3} and {@code cloudfront}. */
    public Builder allowedTypes(String... types) {
      this.allowedTypes = types == null ? null : new TreeSet<>(java.util.Arrays.asList(types));
      return this;
    }

    /** Lets organizations' settings name their own endpoints: for S3-compatible stores and tests only. */
    public Builder allowEndpointOverrides(boolean allowed) {
      this.endpointOverridesAllowed = allowed;
      return this;
    }

    public Builder pendingFirstDelay(Duration d) {
      this.pendingFirstDelay = d;
      return this;
    }

    public Builder pendingMaxDelay(Duration d) {
      this.pendingMaxDelay = d;
      return this;
    }

    public Builder activeInterval(Duration d) {
      this.activeInterval = d;
      return this;
    }

    public Builder degradedInterval(Duration d) {
      this.degradedInterval = d;
      return this;
    }

    public Builder jitter(double fraction) {
      this.jitter = fraction;
      return this;
    }

    public Builder degradeAfter(int failures) {
      this.degradeAfter = failures;
      return this;
    }

    public Builder recoverAfter(int passes) {
      this.recoverAfter = passes;
      return this;
    }

    /** See {@link ActivationPolicy#checkLease()}: 1 second to 1 hour. */
    public Builder checkLease(Duration lease) {
      this.checkLease = lease;
      return this;
    }

    public ActivationPolicy build() {
      List<Violation> v = new ArrayList<>();
      positive(v, "pendingFirstDelay", pendingFirstDelay);
      positive(v, "pendingMaxDelay", pendingMaxDelay);
      positive(v, "activeInterval", activeInterval);
      positive(v, "degradedInterval", degradedInterval);
      if (pendingFirstDelay != null && pendingMaxDelay != null && pendingMaxDelay.compareTo(pendingFirstDelay) < 0) {
        v.add(Violation.of("pendingMaxDelay", pendingMaxDelay.toString(), "at least pendingFirstDelay " + pendingFirstDelay));
      }
      if (!(jitter >= 0 && jitter < 1)) {
        v.add(Violation.of("jitter", Double.toString(jitter), "a fraction from 0 (none) to below 1"));
      }
      if (checkLease == null || checkLease.compareTo(Duration.ofSeconds(1)) < 0 || checkLease.compareTo(Duration.ofHours(1)) > 0) {
        v.add(Violation.of("checkLease", String.valueOf(checkLease), "1 second to 1 hour, longer than the slowest verification"));
      }
      if (degradeAfter < 1) {
        v.add(Violation.of("degradeAfter", Integer.toString(degradeAfter), "at least 1 consecutive definite failure"));
      }
      if (recoverAfter < 1) {
        v.add(Violation.of("recoverAfter", Integer.toString(recoverAfter), "at least 1 consecutive pass"));
      }
      if (allowedTypes == null || allowedTypes.isEmpty()
          || !allowedTypes.stream().allMatch(t -> t != null && TYPE.matcher(t).matches())) {
        v.add(Violation.of("allowedTypes", String.valueOf(allowedTypes),
            "one or more provider types, each lower-case letters, digits and '-'"));
      }
      if (!v.isEmpty()) {
        throw new InvalidConfigurationException(v);
      }
      return new ActivationPolicy(this);
    }

    private static void positive(List<Violation> v, String field, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        v.add(Violation.of(field, String.valueOf(d), "a positive duration"));
      }
    }
  }
}
