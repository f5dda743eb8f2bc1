package org.binarybackends.s3.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.binarybackends.OrganizationId;
import org.junit.jupiter.api.Test;

/** Trust policies as customers really paste them, judged by meaning. */
class TrustPolicyCheckTest {
  private static final OrganizationId ORG = OrganizationId.of("org-a");
  private static final String ROLE = "arn:aws:iam::210987654321:role/binary_backend_org-a_uploads";
  private final TrustPolicyCheck check = new TrustPolicyCheck(ROLE, Optional.of("AROAEXAMPLECURRENT"), ORG);

  private static String statement(String body) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":" + body + "}";
  }

  private static final String GOOD = "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ROLE + "\"},"
      + "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"org-a\"}}}";

  @Test
  void equivalentSpellingsAreAllTrusted() {
    String[] variants = {
        statement(GOOD),
        statement("[" + GOOD + "]"),
        // arrays of one, keys reordered, action and condition key in other cases
        statement("[{\"Condition\":{\"StringEquals\":{\"STS:EXTERNALID\":[\"org-a\"]}},\"Action\":[\"STS:AssumeRole\"],"
            + "\"Principal\":{\"AWS\":[\"" + ROLE + "\"]},\"Effect\":\"Allow\"}]"),
        statement("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"AROAEXAMPLECURRENT\"},\"Action\":\"sts:*\","
            + "\"Condition\":{\"StringLike\":{\"sts:ExternalId\":\"org-a\"}}}")};
    for (String v : variants) {
      TrustPolicyCheck.Result r = check.check(v);
      assertThat(r.trusted()).as(v + " -> " + r).isTrue();
      assertThat(r.problems()).isEmpty();
    }
  }

  @Test
  void aWrongOrMissingExternalIdIsExplained() {
    TrustPolicyCheck.Result wrong = check.check(statement(GOOD.replace("\"org-a\"", "\"org-b\"")));
    assertThat(wrong.trusted()).isFalse();
    assertThat(wrong.problems()).singleElement().asString().contains("requires the external id [org-b]")
        .contains("your organization id is \"org-a\"");
    TrustPolicyCheck.Result none = check.check(statement("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ROLE
        + "\"},\"Action\":\"sts:AssumeRole\"}"));
    assertThat(none.problems()).singleElement().asString().contains("no condition on sts:ExternalId");
    TrustPolicyCheck.Result wildcard = check.check(statement(GOOD.replace("StringEquals", "StringLike")
        .replace("\"org-a\"", "\"org-*\"")));
    assertThat(wildcard.problems()).singleElement().asString().contains("StringLike and a wildcard");
  }

  @Test
  void aWrongPrincipalOrADeletedRolesUniqueIdIsExplained() {
    TrustPolicyCheck.Result other = check.check(statement(GOOD.replace(ROLE, "arn:aws:iam::999999999999:role/x")));
    assertThat(other.trusted()).isFalse();
    assertThat(other.problems()).singleElement().asString().contains("not the platform's role " + ROLE);
    TrustPolicyCheck.Result deleted = check.check(statement(GOOD.replace(ROLE, "AROAOLDDELETEDROLE")));
    assertThat(deleted.trusted()).isFalse();
    assertThat(deleted.problems()).anySatisfy(p -> assertThat(p).contains("AROAOLDDELETEDROLE")
        .contains("a role that was deleted").contains("save the trust policy again"));
  }

  @Test
  void anExplicitDenyCancelsTheAllowAndExtraStatementsAreOnlyRemarked() {
    String deny = "{\"Sid\":\"NoPlatform\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sts:AssumeRole\","
        + "\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"org-a\"}}}";
    TrustPolicyCheck.Result denied = check.check(statement("[" + GOOD + "," + deny + "]"));
    assertThat(denied.trusted()).isFalse();
    assertThat(denied.problems()).singleElement().asString().contains("statement \"NoPlatform\" explicitly denies")
        .contains("overrides every Allow");
    String ec2 = "{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"ec2.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}";
    TrustPolicyCheck.Result extra = check.check(statement("[" + ec2 + "," + GOOD + "]"));
    assertThat(extra.trusted()).isTrue();
    assertThat(extra.remarks()).singleElement().asString().contains("ec2.amazonaws.com");
  }

  @Test
  void trustingEveryAccountWorksButIsPointedOut() {
    TrustPolicyCheck.Result r = check.check(statement(GOOD.replace("{\"AWS\":\"" + ROLE + "\"}", "\"*\"")));
    assertThat(r.trusted()).isTrue();
    assertThat(r.remarks()).singleElement().asString().contains("trusts every AWS account");
  }

  @Test
  void documentsThatAreNotPoliciesSaySo() {
    assertThat(check.check("{\"Version\":\"2012-10-17\",\"Statement\":[{").problems()).singleElement().asString()
        .contains("not valid JSON");
    assertThat(check.check("").problems()).singleElement().asString().contains("empty");
    assertThat(check.check("{\"Version\":\"2012-10-17\"}").problems()).singleElement().asString()
        .contains("no \"Statement\"");
    assertThat(check.check(statement("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ROLE
        + "\"},\"Action\":\"s3:GetObject\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"org-a\"}}}")).problems())
        .singleElement().asString().contains("does not allow the action sts:AssumeRole");
    assertThat(check.check("{\"Statement\":[" + "{\"Effect\":\"Allow\"},".repeat(3000) + "{}]}").problems())
        .singleElement().asString().contains("at most 4,096").doesNotContain("Effect");
    assertThat(check.check(statement("{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
        + "\"arn:aws:s3:::acme/*\"}")).problems()).singleElement().asString().contains("a permissions policy")
        .contains("Trust relationships");
    assertThat(check.check(statement("{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + ROLE + "\"},"
        + "\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::acme/*\"}")).problems()).singleElement()
        .asString().contains("a bucket policy");
  }
}
