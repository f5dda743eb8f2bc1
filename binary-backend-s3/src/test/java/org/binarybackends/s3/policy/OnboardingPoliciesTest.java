package org.binarybackends.s3.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;
import org.binarybackends.s3.BucketName;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.RoleArn;
import org.junit.jupiter.api.Test;

class OnboardingPoliciesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OrganizationId ORG = OrganizationId.of("3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00");
  private static final PlatformRole PLATFORM_ROLE = PlatformRole.of(ORG, "uploads", "210987654321");
  private static final String PLATFORM_PRINCIPAL = "arn:aws:iam::210987654321:role/platform-service";

  private static OnboardingPolicies policies(String partition, String prefix, Optional<String> kms) {
    return new OnboardingPolicies(BucketName.of("acme-firmware"), prefix, ORG, PLATFORM_ROLE,
        RoleArn.parse("arn:" + partition + ":iam::123456789012:role/firmware-uploads"), PLATFORM_PRINCIPAL, kms);
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void theCustomersPermissionsAreTheGuidesFourPlusCleanUpOnTheWholeBucket() throws Exception {
    PolicyDocument doc = policies("aws", "", Optional.empty()).customerPermissions();
    assertThat(json(doc.json())).isEqualTo(json("""
        {"Version":"2012-10-17","Statement":[
         {"Sid":"ReadWriteDeleteBinaries","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
          "Resource":"arn:aws:s3:::acme-firmware/*"},
         {"Sid":"ListBinaries","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::acme-firmware"},
         {"Sid":"CleanUpInterruptedUploads","Effect":"Allow",
          "Action":["s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::acme-firmware/*"}]}
        """));
    assertThat(doc.notes()).anySatisfy(n -> assertThat(n).contains("not in the onboarding guide, but the library calls them"));
  }

  @Test
  void aPrefixScopesEveryStatementAndKmsAddsTheKeyActionsInTheRolesPartition() throws Exception {
    String key = "arn:aws-cn:kms:cn-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    PolicyDocument doc = policies("aws-cn", "fw/", Optional.of(key)).customerPermissions();
    JsonNode s = json(doc.json()).get("Statement");
    assertThat(s.get(0).get("Resource").asText()).isEqualTo("arn:aws-cn:s3:::acme-firmware/fw/*");
    assertThat(s.get(1).get("Resource").asText()).isEqualTo("arn:aws-cn:s3:::acme-firmware");
    assertThat(s.get(1).get("Condition")).isEqualTo(json("{\"StringLike\":{\"s3:prefix\":[\"fw/*\"]}}"));
    assertThat(s.get(2).get("Resource").asText()).isEqualTo("arn:aws-cn:s3:::acme-firmware/fw/*");
    assertThat(s.get(3)).isEqualTo(json("{\"Sid\":\"EncryptWithTheBucketKey\",\"Effect\":\"Allow\","
        + "\"Action\":[\"kms:GenerateDataKey\",\"kms:Decrypt\"],\"Resource\":\"" + key + "\"}"));
    assertThat(doc.json()).doesNotContain("arn:aws:");
  }

  @Test
  void theTrustPolicyNamesThePlatformRoleAndTheOrganizationAsExternalId() throws Exception {
    PolicyDocument trust = policies("aws-us-gov", "", Optional.empty()).customerTrust();
    assertThat(json(trust.json())).isEqualTo(json("""
        {"Version":"2012-10-17","Statement":[{"Sid":"PlatformAssumesThisRoleForOrganization","Effect":"Allow",
         "Action":"sts:AssumeRole",
         "Principal":{"AWS":"arn:aws-us-gov:iam::210987654321:role/binary_backend_3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00_uploads"},
         "Condition":{"StringEquals":{"sts:ExternalId":"3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00"}}}]}
        """));
    TrustPolicyCheck check = new TrustPolicyCheck(PLATFORM_ROLE.arn("aws-us-gov"), Optional.empty(), ORG);
    assertThat(check.check(trust.json()).trusted()).isTrue();
    assertThat(check.check(URLEncoder.encode(trust.json(), StandardCharsets.UTF_8)).trusted()).isTrue();
  }

  @Test
  void thePlatformRolesDocumentsCarryTheFactsToKnow() throws Exception {
    OnboardingPolicies p = policies("aws", "", Optional.empty());
    PolicyDocument trust = p.platformRoleTrust();
    assertThat(json(trust.json()).at("/Statement/0/Principal/AWS").asText()).isEqualTo(PLATFORM_PRINCIPAL);
    assertThat(String.join(" ", trust.notes())).contains("before the customer saves").contains("recreate")
        .contains("1,000 roles per account by default and 5,000 at most");
    assertThat(json(p.platformRolePermissions().json()).at("/Statement/0/Resource").asText())
        .isEqualTo("arn:aws:iam::123456789012:role/firmware-uploads");
    assertThat(json(p.abortIncompleteUploads(7).json())).isEqualTo(json("""
        {"Rules":[{"ID":"binary-backends-abort-incomplete-uploads","Filter":{"Prefix":""},"Status":"Enabled",
          "AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}"""));
    assertThatThrownBy(() -> p.abortIncompleteUploads(0)).hasMessageContaining("days");
  }

  @Test
  void cloudFrontMayReadTheBinariesOnBehalfOfOneDistributionOnly() throws Exception {
    String distribution = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE";
    PolicyDocument doc = policies("aws", "fw/", Optional.empty()).cloudFrontReadAccess(distribution);
    assertThat(json(doc.json())).isEqualTo(json("""
        {"Version":"2012-10-17","Statement":[{"Sid":"CloudFrontReadsBinaries","Effect":"Allow","Action":"s3:GetObject",
         "Resource":"arn:aws:s3:::acme-firmware/fw/*","Principal":{"Service":"cloudfront.amazonaws.com"},
         "Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"}}}]}
        """));
    for (String bad : new String[] {"arn:aws-cn:cloudfront::123456789012:distribution/E1", "E1",
        "arn:aws:cloudfront::1234:distribution/E1", null}) {
      assertThatThrownBy(() -> policies("aws", "", Optional.empty()).cloudFrontReadAccess(bad))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("distributionArn");
    }
  }

  @Test
  void badValuesAreRefusedTogether() {
    assertThatThrownBy(() -> new OnboardingPolicies(BucketName.of("acme-firmware"), "fw/*", ORG, PLATFORM_ROLE,
        RoleArn.parse("arn:aws:iam::123456789012:role/r"), "platform-service", Optional.of("alias/firmware")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.violations())
            .extracting(Violation::field).containsExactly("prefix", "platformPrincipal", "kmsKeyArn"));
  }
}
