package org.binarybackends.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.binarybackends.VerificationReport;
import org.junit.jupiter.api.Test;

/**
 * The verify contract: a healthy backend verifies, every check named and explained, leaving nothing
 * listed. Implemented by {@link BinaryBackendContract}.
 */
public interface VerifyContract extends ContractSubject {
  @Test
  default void aHealthyBackendVerifiesWithEveryCheckNamed() {
    VerificationReport report = backend().verify();
    assertThat(report.failures()).isEmpty();
    assertThat(report.passed()).as(report.toString()).isTrue();
    assertThat(report.instance()).isEqualTo(backend().instanceId());
    assertThat(report.checks()).allSatisfy(c -> {
      assertThat(c.name()).isNotBlank();
      assertThat(c.detail()).isNotBlank();
    });
    assertThat(listedKeys(org(), "")).isEmpty();
  }
}
