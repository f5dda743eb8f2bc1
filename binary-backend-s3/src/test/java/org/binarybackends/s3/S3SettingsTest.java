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
  void theBuilderNamesEveryFieldAndTheJsonReadsBackToTheSameSettings() {
    S3Settings built = S3Settings.builder().organization("org-a").bucket("acme-firmware").region("eu-west-1")
        .roleArn("arn:aws:iam::123456789012:role/uploads").roleName("uploads").prefix("fw/")
        .kmsKeyArn("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        .s3Endpoint("http://127.0.0.1:9000").pathStyleAccess(true).build();
    S3Settings read = S3Settings.read(SettingsReader.parse(built.toJson()));
    assertThat(read.toString()).isEqualTo(built.toString());
    assertThat(read.instanceId()).isEqualTo(built.instanceId());
    assertThat(read.kmsKeyArn()).isEqualTo(built.kmsKeyArn());
    assertThat(read.pathStyleAccess()).isTrue();
    assertThat(read.toJson()).isEqualTo(built.toJson());
    assertThat(built.toBuilder().prefix("other/").build().instanceId().toString())
        .isEqualTo("s3{bucket=acme-firmware, prefix=other/, region=eu-west-1}");
    assertThat(org.binarybackends.BinaryBackendRegistry.installed().readSettings(built.toJson()).instanceId())
        .isEqualTo(built.instanceId());
    assertThatThrownBy(() -> S3Settings.builder().bucket("My_Bucket").build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).contains("organization", "bucket", "region", "roleArn", "roleName"));
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
