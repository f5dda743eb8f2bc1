package org.binarybackends.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.OrganizationId;
import org.binarybackends.testkit.LocalSts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** The role chain against the local STS, through the real SDK client and the AssumeRole protocol. */
class RoleChainTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final String PLATFORM_ACCOUNT = "210987654321";
  private static final String PLATFORM_PRINCIPAL = "arn:aws:iam::" + PLATFORM_ACCOUNT + ":role/platform-service";
  private static final RoleArn CUSTOMER_ROLE = RoleArn.parse("arn:aws:iam::123456789012:role/firmware/uploads");
  private static final PlatformRole PLATFORM_ROLE = PlatformRole.of(ORG, "uploads", PLATFORM_ACCOUNT);

  @RegisterExtension
  static final LocalSts STS = LocalSts.start();

  private final SdkHttpClient http = Apache5HttpClient.create();
  private RoleChain chain;

  @BeforeEach
  void defineRoles() {
    LocalSts.Identity base = STS.addBaseIdentity(PLATFORM_PRINCIPAL);
    STS.defineRole(PLATFORM_ROLE.arn("aws"), PLATFORM_PRINCIPAL, null, true);
    STS.defineRole(CUSTOMER_ROLE.toString(), PLATFORM_ROLE.arn("aws"), ORG.value(), false);
    chain = new RoleChain(ORG, PLATFORM_ROLE, CUSTOMER_ROLE, AwsRegion.of("eu-west-1"),
        StaticCredentialsProvider.create(AwsBasicCredentials.create(base.accessKeyId(), base.secretAccessKey())), http,
        Optional.of(STS.endpoint()));
  }

  @AfterEach
  void close() {
    chain.close();
    http.close();
  }

  @Test
  void untilTheCustomerAppliesTheTrustPolicyTheDiagnosisListsEveryCauseAndQuotesSts() {
    assertThatThrownBy(chain::probe).isInstanceOfSatisfying(AccessDeniedException.class, e -> {
      assertThat(e.refused()).contains("sts:AssumeRole of " + CUSTOMER_ROLE).contains("with external id org-a");
      assertThat(e.possibleCauses()).hasSize(4);
      assertThat(e.getMessage()).contains("is not applied yet").contains("ExternalId condition is not org-a")
          .contains("does not exist, or its ARN has a typo")
          .contains("is not authorized to perform: sts:AssumeRole on resource: " + CUSTOMER_ROLE);
    });
    STS.applyTrust(CUSTOMER_ROLE.toString(), true);
    Credentials session = chain.probe();
    LocalSts.Identity holder = STS.identity(session.accessKeyId()).orElseThrow();
    assertThat(holder.principalArn()).isEqualTo(CUSTOMER_ROLE.toString());
    assertThat(holder.externalId()).hasValue("org-a");
    assertThat(holder.assumedRoleArn()).hasValue("arn:aws:sts::123456789012:assumed-role/uploads/bb-org-a");
  }

  @Test
  void theCachedCredentialsAreTheCustomerRolesSession() {
    STS.applyTrust(CUSTOMER_ROLE.toString(), true);
    AwsSessionCredentials creds = (AwsSessionCredentials) chain.credentials().resolveCredentials();
    assertThat(STS.identity(creds.accessKeyId()).orElseThrow().principalArn()).isEqualTo(CUSTOMER_ROLE.toString());
    assertThat(STS.valid(creds.accessKeyId())).isTrue();
    assertThat(chain.credentials().resolveCredentials().accessKeyId()).as("cached").isEqualTo(creds.accessKeyId());
  }

  @Test
  void aWrongExternalIdOrAMissingRoleIsRefusedTheSameWay() {
    STS.defineRole(CUSTOMER_ROLE.toString(), PLATFORM_ROLE.arn("aws"), "org-b", true);
    assertThatThrownBy(chain::probe).isInstanceOf(AccessDeniedException.class).hasMessageContaining("ExternalId");
    STS.deleteRole(CUSTOMER_ROLE.toString());
    assertThatThrownBy(chain::probe).isInstanceOf(AccessDeniedException.class).hasMessageContaining("ARN has a typo");
  }

  @Test
  void aRefusedPlatformHopIsNotBlamedOnTheCustomer() {
    STS.applyTrust(CUSTOMER_ROLE.toString(), true);
    STS.applyTrust(PLATFORM_ROLE.arn("aws"), false);
    assertThatThrownBy(chain::probe).isInstanceOfSatisfying(AccessDeniedException.class, e -> {
      assertThat(e.refused()).contains("platform-side role " + PLATFORM_ROLE.arn("aws"));
      assertThat(e.getMessage()).contains("on the platform's side, not the customer's")
          .contains("must be created before the customer saves a trust policy");
    });
  }

  @Test
  void theLocalStsRefusesAChainedSessionOverAnHourAsAwsDoes() {
    STS.applyTrust(CUSTOMER_ROLE.toString(), true);
    Credentials session = chain.probe();
    try (var sts = software.amazon.awssdk.services.sts.StsClient.builder()
        .region(software.amazon.awssdk.regions.Region.EU_WEST_1).httpClient(http).endpointOverride(STS.endpoint())
        .credentialsProvider(StaticCredentialsProvider.create(AwsSessionCredentials.create(session.accessKeyId(),
            session.secretAccessKey(), session.sessionToken()))).build()) {
      assertThatThrownBy(() -> sts.assumeRole(r -> r.roleArn(CUSTOMER_ROLE.toString()).roleSessionName("again")
          .externalId("org-a").durationSeconds(7200)))
          .hasMessageContaining("exceeds the 1 hour session limit for roles assumed by role chaining");
    }
  }
}
