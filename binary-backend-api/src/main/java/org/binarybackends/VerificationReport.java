package org.binarybackends;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What {@link BinaryBackend#verify()} found: each named check, passed, failed with a reason a
 * person can act on, or skipped because an earlier one failed.
 *
 * @param instance the backend instance checked
 * @param checkedAt when the verification ran
 * @param checks the checks in the order they ran
 */
public record VerificationReport(BackendInstanceId instance, Instant checkedAt, List<Check> checks) {
  public VerificationReport {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(checkedAt, "checkedAt");
    checks = List.copyOf(checks);
    if (checks.isEmpty()) {
      throw new IllegalArgumentException("a verification report needs at least one check");
    }
  }

  /**
   * Whether no check failed. A skipped check does not count either way: it was skipped because it
   * does not apply to this configuration, or because a check it depends on failed, which is then
   * itself a failure.
   */
  public boolean passed() {
    return checks.stream().noneMatch(c -> c.status() == Status.FAILED);
  }

  /** The checks that failed. */
  public List<Check> failures() {
    return checks.stream().filter(c -> c.status() == Status.FAILED).collect(Collectors.toList());
  }

  @Override
  public String toString() {
    return "VerificationReport{" + instance + " at " + checkedAt + ": "
        + checks.stream().map(Check::toString).collect(Collectors.joining("; ")) + "}";
  }

  /** How a check ended. */
  public enum Status {
    PASSED,
    FAILED,
    /** Not run: it does not apply to this configuration, or a check it depends on failed. */
    SKIPPED,
    /**
     * Works, with something a person should fix that does not stop the backend from serving (a
     * permission only clean-up needs, a safety net missing); does not fail the report.
     */
    WARNING
  }

  /**
   * One check.
   *
   * @param name a stable name, e.g. {@code write-probe}
   * @param status how it ended
   * @param detail for a failure, the reason and what to do; for a pass or a skip, what was done
   *     or why not
   * @param retryable for a failure, whether it may pass unchanged later (a timeout, throttling)
   *     rather than needing someone to fix something
   */
  public record Check(String name, Status status, String detail, boolean retryable) {
    public Check {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(detail, "detail");
    }

    public static Check passed(String name, String detail) {
      return new Check(name, Status.PASSED, detail, false);
    }

    public static Check failed(String name, String reason, boolean retryable) {
      return new Check(name, Status.FAILED, reason, retryable);
    }

    public static Check skipped(String name, String why) {
      return new Check(name, Status.SKIPPED, why, false);
    }

    public static Check warning(String name, String what) {
      return new Check(name, Status.WARNING, what, false);
    }

    @Override
    public String toString() {
      return name + " " + status + ": " + detail;
    }
  }
}
