package org.binarybackends.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;
import org.binarybackends.OrganizationId;
import org.binarybackends.Violation;

/**
 * The platform-side role of one organization's bucket: {@code binary_backend_<organization>_<role
 * name>} in the platform's account, the principal the customer's trust policy names. The role name
 * is a short suffix chosen at registration: 1 to {@value #MAX_ROLE_NAME} characters of
 * {@code A-Z a-z 0-9 _ + = , . @ -}, so that with a 36-character organization id the whole name
 * stays within IAM's 64 characters. One such role per organization with a bucket: IAM's quota of
 * roles per account (1,000 by default, 5,000 at most) bounds how many organizations can have one.
 * Immutable.
 */
public final class PlatformRole {
  public static final int MAX_ROLE_NAME = 10;
  private static final Pattern ROLE_NAME = Pattern.compile("[\\w+=,.@-]{1," + MAX_ROLE_NAME + "}");
  private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

  private final String name;
  private final String accountId;

  private PlatformRole(String name, String accountId) {
    this.name = name;
    this.accountId = accountId;
  }

  /**
   * The platform-side role of {@code organization}'s bucket, named with {@code roleName}, in the
   * platform account {@code platformAccountId}.
   *
   * @throws InvalidInputException naming fields {@code roleName} and {@code platformAccountId}, every
   *     rule broken
   */
  public static PlatformRole of(OrganizationId organization, String roleName, String platformAccountId) {
    List<Violation> v = new ArrayList<>(roleNameViolations(roleName));
    if (platformAccountId == null || !ACCOUNT.matcher(platformAccountId).matches()) {
      v.add(Violation.of("platformAccountId", platformAccountId, "the platform's 12-digit AWS account id"));
    }
    if (!v.isEmpty()) {
      throw new InvalidInputException(v);
    }
    return new PlatformRole("binary_backend_" + organization.value() + "_" + roleName, platformAccountId);
  }

  /** What is wrong with a role name chosen at registration (field {@code roleName}); empty if nothing. */
  static List<Violation> roleNameViolations(String roleName) {
    if (roleName == null) {
      return List.of(Violation.missing("roleName", "1 to " + MAX_ROLE_NAME + " characters of A-Z a-z 0-9 _ + = , . @ -"));
    }
    if (!ROLE_NAME.matcher(roleName).matches()) {
      return List.of(Violation.of("roleName", roleName, "1 to " + MAX_ROLE_NAME + " characters of A-Z a-z 0-9 _ + = , . @ -"
          + " (binary_backend_<organization>_<role name> must fit IAM's 64 characters); it has " + roleName.length()));
    }
    return List.of();
  }

  /** The role's name, {@code binary_backend_<organization>_<role name>}, at most 64 characters. */
  public String name() {
    return name;
  }

  /** Its ARN in {@code partition}: the partition of the customer's role, never a hard-coded one. */
  public String arn(String partition) {
    return "arn:" + partition + ":iam::" + accountId + ":role/" + name;
  }

  public String accountId() {
    return accountId;
  }

  @Override
  public String toString() {
    return name + " in " + accountId;
  }
}
