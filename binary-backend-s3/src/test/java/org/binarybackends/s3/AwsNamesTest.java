package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every naming rule AWS applies, broken once, refused with the field and the rule; no AWS call. */
class AwsNamesTest {

  @ParameterizedTest
  @ValueSource(strings = {"abc", "my-firmware-bucket", "firmware.example.com", "a1b", "0bucket9",
      "123456789012345678901234567890123456789012345678901234567890123"})
  void validBucketNamesAreAccepted(String name) {
    assertThat(BucketName.of(name).value()).isEqualTo(name);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "ab|3 to 63 characters; it has 2",
      "1234567890123456789012345678901234567890123456789012345678901234|3 to 63 characters; it has 64",
      "My-Bucket|only lower-case letters, digits, '.' and '-'; found 'M'",
      "my_bucket|found '_' at index 2",
      "-bucket|starts with a lower-case letter or a digit",
      "bucket-|ends with a lower-case letter or a digit",
      "my..bucket|no two adjacent periods",
      "192.168.5.4|not formatted as an IP address",
      "xn--bucket|not starting with 'xn--'",
      "sthree-bucket|not starting with 'sthree-'",
      "amzn-s3-demo-bucket|not starting with 'amzn-s3-demo-'",
      "bucket-s3alias|not ending with '-s3alias'",
      "bucket--ol-s3|not ending with '--ol-s3'",
      "bucket.mrap|not ending with '.mrap'",
      "bucket--x-s3|not ending with '--x-s3'",
      "bucket--table-s3|not ending with '--table-s3'"})
  void eachBucketRuleBrokenIsNamed(String name, String rule) {
    assertThatThrownBy(() -> BucketName.of(name)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
      assertThat(e.violations()).extracting(Violation::field).containsOnly("bucket");
      assertThat(e.getMessage()).contains(rule);
    });
  }

  @Test
  void everyBrokenRuleIsListedAtOnce() {
    assertThatThrownBy(() -> BucketName.of("-Ab")).isInstanceOfSatisfying(InvalidInputException.class,
        e -> assertThat(e.violations()).hasSize(2));
    assertThatThrownBy(() -> BucketName.of(null)).hasMessageContaining("bucket is missing");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "arn:aws:iam::123456789012:role/uploads|aws|123456789012|/|uploads",
      "arn:aws-cn:iam::123456789012:role/team/app/uploads|aws-cn|123456789012|/team/app/|uploads",
      "arn:aws-us-gov:iam::000000000000:role/a+b=c,d.e@f-g_h|aws-us-gov|000000000000|/|a+b=c,d.e@f-g_h",
      "arn:aws-iso-b:iam::123456789012:role/x|aws-iso-b|123456789012|/|x",
      "arn:aws-eusc:iam::123456789012:role/x|aws-eusc|123456789012|/|x"})
  void roleArnsOfEveryPartitionParse(String arn, String partition, String account, String path, String name) {
    RoleArn parsed = RoleArn.parse(arn);
    assertThat(parsed.partition()).isEqualTo(partition);
    assertThat(parsed.accountId()).isEqualTo(account);
    assertThat(parsed.path()).isEqualTo(path);
    assertThat(parsed.name()).isEqualTo(name);
    assertThat(parsed.toString()).isEqualTo(arn);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "arn:aws:iam::123456789012|six ':'-separated parts",
      "arn:aws-mars:iam::123456789012:role/x|'aws-mars' is not an AWS partition",
      "arn:aws:s3:::bucket/x|the service is 's3', not 'iam'",
      "arn:aws:iam:us-east-1:123456789012:role/x|an IAM ARN has no region",
      "arn:aws:iam::12345678901:role/x|'12345678901' is not 12 digits",
      "arn:aws:iam::123456789012:user/x|is not a role",
      "arn:aws:iam::123456789012:role/bad name|characters IAM does not allow: whitespace",
      "arn:aws:iam::123456789012:role/bad*name|characters IAM does not allow",
      "arn:aws:iam::123456789012:role/|the role name after 'role/' is empty",
      "arn:aws:iam::123456789012:role/path/|the role name after 'role/' and its path is empty",
      "\" arn:aws:iam::123456789012:role/x\"|leading or trailing whitespace",
      "\"arn:aws:iam::123456789012:role/x \"|leading or trailing whitespace"})
  void malformedRoleArnsSayWhichPartIsWrong(String arn, String what) {
    assertThatThrownBy(() -> RoleArn.parse(arn)).isInstanceOfSatisfying(InvalidInputException.class, e -> {
      assertThat(e.violations()).extracting(Violation::field).containsExactly("roleArn");
      assertThat(e.getMessage()).contains(what).contains("arn:<partition>:iam::<12-digit account id>");
    });
  }

  @Test
  void roleNamesAndPathsHaveTheirLimits() {
    assertThat(RoleArn.parse("arn:aws:iam::123456789012:role/" + "r".repeat(64)).name()).hasSize(64);
    assertThatThrownBy(() -> RoleArn.parse("arn:aws:iam::123456789012:role/" + "r".repeat(65)))
        .hasMessageContaining("1 to 64 characters");
    assertThatThrownBy(() -> RoleArn.parse("arn:aws:iam::123456789012:role/" + "p/".repeat(300) + "r"))
        .hasMessageContaining("at most 512 characters");
  }

  @Test
  void aRoleOfAnotherPartitionThanTheRegionIsRefused() {
    RoleArn china = RoleArn.parse("arn:aws-cn:iam::123456789012:role/uploads");
    assertThat(china.requireSamePartitionAs(AwsRegion.of("cn-north-1"))).isSameAs(china);
    assertThatThrownBy(() -> china.requireSamePartitionAs(AwsRegion.of("eu-west-1")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("a role in partition aws, the partition of region eu-west-1; this one is in aws-cn");
  }

  @Test
  void regionsAreThoseTheSdkKnowsWithTheirPartition() {
    assertThat(AwsRegion.of("eu-west-1").partition()).isEqualTo("aws");
    assertThat(AwsRegion.of("us-gov-west-1").partition()).isEqualTo("aws-us-gov");
    assertThat(AwsRegion.of("eusc-de-east-1").partition()).isEqualTo("aws-eusc");
    for (String bad : new String[] {"mars-east-1", "EU-WEST-1", "eu west 1", "aws-global-x"}) {
      assertThatThrownBy(() -> AwsRegion.of(bad)).isInstanceOfSatisfying(InvalidInputException.class,
          e -> assertThat(e.violations()).extracting(Violation::field).containsExactly("region"));
    }
    assertThatThrownBy(() -> AwsRegion.of(" ")).hasMessageContaining("region is missing");
  }

  @Test
  void thePlatformSideRoleFitsIamsLimitWithAUuidOrganization() {
    OrganizationId org = OrganizationId.of("3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00");
    PlatformRole role = PlatformRole.of(org, "uploads-01", "210987654321");
    assertThat(role.name()).isEqualTo("binary_backend_3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00_uploads-01").hasSize(62);
    assertThat(role.arn("aws-cn")).isEqualTo(
        "arn:aws-cn:iam::210987654321:role/binary_backend_3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00_uploads-01");
    OrganizationId longest = OrganizationId.of("x".repeat(OrganizationId.MAX_LENGTH));
    assertThat(PlatformRole.of(longest, "r".repeat(10), "210987654321").name()).hasSize(64);
  }

  @Test
  void platformRoleNamesAndAccountsBreakingARuleAreRefusedTogether() {
    OrganizationId org = OrganizationId.of("org-a");
    assertThatThrownBy(() -> PlatformRole.of(org, "uploads-001", "2109876543"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.violations()).extracting(Violation::field).containsExactly("roleName", "platformAccountId");
          assertThat(e.getMessage()).contains("it has 11").contains("12-digit");
        });
    assertThatThrownBy(() -> PlatformRole.of(org, "up/loads", "210987654321")).hasMessageContaining("roleName");
    assertThatThrownBy(() -> PlatformRole.of(org, null, "210987654321")).hasMessageContaining("roleName is missing");
  }
}
