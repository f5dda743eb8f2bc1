package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.Violation;
import org.binarybackends.spi.SettingsReader;
import org.junit.jupiter.api.Test;

/** Registration values checked by AWS's rules, all at once, before any AWS call. */
class S3SettingsTest {

  @Test
  void aCompleteRegistrationReads() {
    S3Settings s = S3Settings.read(SettingsReader.parse("{\"type\":\"s3\",\"organization\":\"org-a\","
        + "\"bucket\":\"acme-firmware\",\"region\":\"eu-west-1\",\"roleArn\":\"arn:aws:iam::123456789012:role/uploads\","
        + "\"roleName\":\"uploads\",\"prefix\":\"fw/\",\"s3Endpoint\":\"http://127.0.0.1:9000\",\"pathStyleAccess\":true}"));
    assertThat(s.instanceId().toString()).isEqualTo("s3{bucket=acme-firmware, prefix=fw/, region=eu-west-1}");
    assertThat(s.organization().value()).isEqualTo("org-a");
    assertThat(s.pathStyleAccess()).isTrue();
    assertThat(s.stsEndpoint()).isEmpty();
    assertThat(s.toString()).contains("arn:aws:iam::123456789012:role/uploads");
  }

  @Test
  void everyRuleBrokenIsReportedAtOnceNamingItsField() {
    String json = "{\"type\":\"s3\",\"organization\":\"org a\",\"bucket\":\"My_Bucket\",\"region\":\"mars-1\","
        + "\"roleArn\":\"arn:aws:iam::123:role/x\",\"roleName\":\"much-too-long\",\"prefix\":\"fw\","
        + "\"kmsKeyArn\":\"alias/x\",\"s3Endpoint\":\"not a url\",\"stsEndpoint\":\"ftp://x\",\"pathStyleAccess\":\"yes\"}";
    assertThatThrownBy(() -> S3Settings.read(SettingsReader.parse(json)))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).contains("organization", "bucket", "region", "roleArn", "roleName",
                "prefix", "kmsKeyArn", "s3Endpoint", "stsEndpoint", "pathStyleAccess"));
  }

  @Test
  void aRoleInAnotherPartitionThanTheBucketsRegionIsRefused() {
    assertThatThrownBy(() -> S3Settings.of("org-a", "acme-firmware", "eu-west-1",
        "arn:aws-cn:iam::123456789012:role/uploads", "uploads", "", null, null, null, false))
        .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("partition aws, the partition of region"
            + " eu-west-1; this one is in aws-cn");
  }
}
