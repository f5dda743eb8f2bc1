package org.binarybackends.s3.policy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;
import org.binarybackends.s3.BucketName;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.RoleArn;

/**
 * The documents that connect an organization's bucket to the platform, built with Jackson from the
 * registration's values. Every ARN uses the partition of the customer's role, never a hard-coded
 * {@code aws}.
 *
 * <ul>
 *   <li>{@link #customerPermissions()}: what the customer's role may do: the four actions of the
 *       onboarding guide, plus the two the library really calls to clean up interrupted uploads, plus
 *       the KMS actions when the bucket encrypts with a KMS key; scoped to the prefix, nothing broader;
 *   <li>{@link #customerTrust()}: who may assume the customer's role: the platform-side role, with the
 *       organization id as external id;
 *   <li>{@link #platformRoleTrust()} and {@link #platformRolePermissions()}: the platform-side role's
 *       own documents, created by the platform before the customer saves the trust policy;
 *   <li>{@link #abortIncompleteUploads(int)}: the recommended lifecycle rule.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class OnboardingPolicies {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION = "2012-10-17";

  private final BucketName bucket;
  private final String prefix;
  private final OrganizationId organization;
  private final PlatformRole platformRole;
  private final RoleArn customerRole;
  private final String platformPrincipal;
  private final Optional<String> kmsKeyArn;

  /**
   * @param prefix the key prefix the organization's binaries live under, {@code ""} for the whole bucket
   * @param platformPrincipal the ARN of the platform's own identity (its service role), which assumes
   *     the platform-side role
   * @param kmsKeyArn the ARN of the KMS key the bucket encrypts with (SSE-KMS), if any
   * @throws InvalidInputException naming each invalid field
   */
  public OnboardingPolicies(BucketName bucket, String prefix, OrganizationId organization, PlatformRole platformRole,
      RoleArn customerRole, String platformPrincipal, Optional<String> kmsKeyArn) {
    this.bucket = Objects.requireNonNull(bucket, "bucket");
    this.organization = Objects.requireNonNull(organization, "organization");
    this.platformRole = Objects.requireNonNull(platformRole, "platformRole");
    this.customerRole = Objects.requireNonNull(customerRole, "customerRole");
    List<Violation> v = new ArrayList<>();
    if (prefix == null) {
      v.add(Violation.missing("prefix", "a key prefix, \"\" for the whole bucket"));
    } else if (!prefix.isEmpty()) {
      try {
        ObjectKey.of(prefix);
      } catch (InvalidInputException e) {
        v.add(Violation.of("prefix", prefix, "a prefix following the rules of an S3 key"));
      }
      if (prefix.contains("*") || prefix.contains("?")) {
        v.add(Violation.of("prefix", prefix, "no '*' or '?': in a policy they would be wildcards"));
      }
    }
    if (platformPrincipal == null || !platformPrincipal.matches("arn:[a-z-]+:iam::\\d{12}:(user|role)/[\\w+=,.@/-]+")) {
      v.add(Violation.of("platformPrincipal", platformPrincipal, "the ARN of the platform's IAM role or user,"
          + " arn:<partition>:iam::<account>:role/<name>"));
    }
    if (kmsKeyArn == null) {
      v.add(Violation.missing("kmsKeyArn", "a KMS key ARN or empty"));
    } else {
      kmsKeyArn.map(k -> RoleArn.kmsKeyArnViolation("kmsKeyArn", k)).ifPresent(v::add);
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    this.prefix = prefix;
    this.platformPrincipal = platformPrincipal;
    this.kmsKeyArn = kmsKeyArn;
  }

  private String partition() {
    return customerRole.partition();
  }

  private String bucketArn() {
    return "arn:" + partition() + ":s3:::" + bucket;
  }

  private String objectsArn() {
    return bucketArn() + "/" + prefix + "*";
  }

  private static ObjectNode policy() {
    ObjectNode p = JSON.createObjectNode();
    p.put("Version", VERSION);
    p.putArray("Statement");
    return p;
  }

  private static ObjectNode statement(ObjectNode policy, String sid, String effect, List<String> actions, String resource) {
    ObjectNode s = ((ArrayNode) policy.get("Statement")).addObject();
    s.put("Sid", sid).put("Effect", effect);
    if (actions.size() == 1) {
      s.put("Action", actions.get(0));
    } else {
      ArrayNode a = s.putArray("Action");
      actions.forEach(a::add);
    }
    if (resource != null) {
      s.put("Resource", resource);
    }
    return s;
  }

  /** The permissions policy of the customer's role. */
  public PolicyDocument customerPermissions() {
    ObjectNode p = policy();
    List<String> notes = new ArrayList<>();
    statement(p, "ReadWriteDeleteBinaries", "Allow", List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
        objectsArn());
    notes.add("ReadWriteDeleteBinaries: store, download and delete binaries"
        + (prefix.isEmpty() ? "" : " under " + prefix) + " (the onboarding guide's first three actions)");
    ObjectNode list = statement(p, "ListBinaries", "Allow", List.of("s3:ListBucket"), bucketArn());
    if (!prefix.isEmpty()) {
      list.putObject("Condition").putObject("StringLike").putArray("s3:prefix").add(prefix + "*");
    }
    notes.add("ListBinaries: list the binaries" + (prefix.isEmpty() ? "" : ", only under " + prefix)
        + "; also lets a missing binary answer 404 instead of 403");
    statement(p, "CleanUpInterruptedUploads", "Allow", List.of("s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
        objectsArn());
    notes.add("CleanUpInterruptedUploads: not in the onboarding guide, but the library calls them: large binaries"
        + " are uploaded in parts, and an upload that fails is aborted so that no parts are left (billed, invisible)."
        + " Without them uploads still work; the lifecycle rule below is then the only clean-up");
    kmsKeyArn.ifPresent(key -> {
      statement(p, "EncryptWithTheBucketKey", "Allow", List.of("kms:GenerateDataKey", "kms:Decrypt"), key);
      notes.add("EncryptWithTheBucketKey: the bucket encrypts with a KMS key (SSE-KMS): storing needs"
          + " kms:GenerateDataKey and reading (and multipart uploads) kms:Decrypt. The key's own policy must allow"
          + " this role too");
    });
    return new PolicyDocument("Permissions policy of " + customerRole, p, notes);
  }

  /** The trust policy the customer applies to their role. */
  public PolicyDocument customerTrust() {
    ObjectNode p = policy();
    ObjectNode s = statement(p, "PlatformAssumesThisRoleForOrganization", "Allow", List.of("sts:AssumeRole"), null);
    s.putObject("Principal").put("AWS", platformRole.arn(partition()));
    s.putObject("Condition").putObject("StringEquals").put("sts:ExternalId", organization.value());
    return new PolicyDocument("Trust policy of " + customerRole, p, List.of(
        "Only the platform's role for your organization, " + platformRole.arn(partition()) + ", may assume this role,"
            + " and only when it names your organization id " + organization + " as external id",
        "IAM refuses to save it until that platform role exists: the platform creates it when you register"));
  }

  /** The trust policy of the platform-side role: the platform's own identity may assume it. */
  public PolicyDocument platformRoleTrust() {
    ObjectNode p = policy();
    ObjectNode s = statement(p, "PlatformServiceAssumesThisRole", "Allow", List.of("sts:AssumeRole"), null);
    s.putObject("Principal").put("AWS", platformPrincipal);
    return new PolicyDocument("Trust policy of the platform-side role " + platformRole.arn(partition()), p, List.of(
        "Create this role before the customer saves their trust policy: IAM refuses a trust policy naming a role that"
            + " does not exist",
        "Never delete and recreate it: the customer's trust policy holds the role's unique id, not its name, so a"
            + " recreated role is no longer trusted until the customer saves the trust policy again",
        "One such role per organization with its own bucket: IAM allows 1,000 roles per account by default and"
            + " 5,000 at most, which bounds how many organizations can have one"));
  }

  /** The permissions policy of the platform-side role: assume exactly the customer's role. */
  public PolicyDocument platformRolePermissions() {
    ObjectNode p = policy();
    statement(p, "AssumeTheCustomersRole", "Allow", List.of("sts:AssumeRole"), customerRole.toString());
    return new PolicyDocument("Permissions policy of the platform-side role " + platformRole.arn(partition()), p,
        List.of("It may assume exactly " + customerRole + ", nothing else"));
  }

  /**
   * The bucket policy statement that lets a CloudFront distribution read the binaries through Origin
   * Access Control, and nothing else: {@code s3:GetObject} on the prefix, for the CloudFront service
   * principal, only on behalf of {@code distributionArn}.
   *
   * @param distributionArn {@code arn:<partition>:cloudfront::<account>:distribution/<id>}
   * @throws InvalidInputException naming {@code distributionArn} if it is not one
   */
  public PolicyDocument cloudFrontReadAccess(String distributionArn) {
    if (distributionArn == null
        || !distributionArn.matches("arn:" + Pattern.quote(partition()) + ":cloudfront::\\d{12}:distribution/[A-Z0-9]+")) {
      throw InvalidInputException.of("distributionArn", distributionArn, "arn:" + partition()
          + ":cloudfront::<12-digit account>:distribution/<distribution id>, in the partition of the customer's role");
    }
    ObjectNode p = policy();
    ObjectNode s = statement(p, "CloudFrontReadsBinaries", "Allow", List.of("s3:GetObject"), objectsArn());
    s.putObject("Principal").put("Service", "cloudfront.amazonaws.com");
    s.putObject("Condition").putObject("StringEquals").put("AWS:SourceArn", distributionArn);
    return new PolicyDocument("Bucket policy statement of " + bucket + " for " + distributionArn, p, List.of(
        "Lets the distribution read binaries" + (prefix.isEmpty() ? "" : " under " + prefix) + " through Origin Access"
            + " Control, and no one else: merge the statement into the bucket's policy",
        "Without it CloudFront answers 403 for every binary (behind Origin Access Control a missing object is 403"
            + " too, not 404)"));
  }

  /**
   * The lifecycle rule that aborts multipart uploads left incomplete for {@code days} days: parts of
   * an interrupted upload are billed and invisible until aborted.
   *
   * @throws InvalidInputException unless {@code days} is at least 1
   */
  public PolicyDocument abortIncompleteUploads(int days) {
    if (days < 1) {
      throw InvalidInputException.of("days", Integer.toString(days), "at least 1 day");
    }
    ObjectNode config = JSON.createObjectNode();
    ObjectNode rule = config.putArray("Rules").addObject();
    rule.put("ID", "binary-backends-abort-incomplete-uploads");
    rule.putObject("Filter").put("Prefix", prefix);
    rule.put("Status", "Enabled");
    rule.putObject("AbortIncompleteMultipartUpload").put("DaysAfterInitiation", days);
    return new PolicyDocument("Lifecycle configuration of bucket " + bucket, config, List.of(
        "Aborts multipart uploads" + (prefix.isEmpty() ? "" : " under " + prefix) + " still incomplete " + days
            + " days after they began; recommended in any case, and the only clean-up if the role may not call"
            + " s3:AbortMultipartUpload",
        "Merge it with the bucket's existing lifecycle rules: PutBucketLifecycleConfiguration replaces them all"));
  }
}
