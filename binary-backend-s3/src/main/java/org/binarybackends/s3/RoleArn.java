package org.binarybackends.s3;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Violation;

/**
 * The ARN of an IAM role: {@code arn:<partition>:iam::<12-digit account>:role/<optional path/><name>},
 * where the partition is one of AWS's ({@code aws}, {@code aws-cn}, {@code aws-us-gov},
 * {@code aws-eusc}, {@code aws-iso}, {@code aws-iso-b} and the other {@code aws-iso-<letter>}), the path
 * is {@code /} or {@code /segments/} of printable ASCII (at most 512 characters), and the name 1 to
 * 64 of {@code A-Z a-z 0-9 _ + = , . @ -}. Generated policies use this ARN's partition, never a
 * hard-coded {@code aws}. Immutable.
 */
public final class RoleArn {
  /** AWS's partitions, as a regular expression. */
  static final String PARTITIONS = "aws|aws-cn|aws-us-gov|aws-eusc|aws-iso|aws-iso-[a-z]";
  private static final Pattern ARN = Pattern.compile(
      "arn:(" + PARTITIONS + "):iam::(\\d{12}):role(/(?:[\\x21-\\x7E]*/)?)([\\w+=,.@-]+)");
  private static final Pattern KMS_KEY_ARN = Pattern.compile("arn:(" + PARTITIONS + "):kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+");
  private static final Pattern NAME = Pattern.compile("[\\w+=,.@-]{1,64}");

  private final String partition;
  private final String accountId;
  private final String path;
  private final String name;

  private RoleArn(String partition, String accountId, String path, String name) {
    this.partition = partition;
    this.accountId = accountId;
    this.path = path;
    this.name = name;
  }

  /**
   * Parses a role ARN.
   *
   * @throws InvalidInputException naming field {@code roleArn}, saying which part is wrong
   */
  public static RoleArn parse(String arn) {
    return parse("roleArn", arn);
  }

  static RoleArn parse(String field, String arn) {
    String form = "arn:<partition>:iam::<12-digit account id>:role/<optional path/><role name>, e.g. "
        + "arn:aws:iam::123456789012:role/binary-uploads";
    if (arn == null) {
      throw new InvalidInputException(List.of(Violation.missing(field, form)));
    }
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      throw InvalidInputException.of(field, arn, form + "; " + whatIsWrong(arn));
    }
    String path = m.group(3);
    if (path.length() > 512) {
      throw InvalidInputException.of(field, arn, "a role path of at most 512 characters; it has " + path.length());
    }
    if (!NAME.matcher(m.group(4)).matches()) {
      throw InvalidInputException.of(field, arn, "a role name of 1 to 64 characters of A-Z a-z 0-9 _ + = , . @ -; it has "
          + m.group(4).length());
    }
    return new RoleArn(m.group(1), m.group(2), path, m.group(4));
  }

  private static String whatIsWrong(String arn) {
    if (!arn.equals(arn.strip())) {
      return "it has leading or trailing whitespace (pasted with it?): remove it";
    }
    String[] parts = arn.split(":", 6);
    if (parts.length < 6 || !parts[0].equals("arn")) {
      return "it does not have the six ':'-separated parts of an ARN";
    }
    if (!parts[1].matches(PARTITIONS)) {
      return "'" + parts[1] + "' is not an AWS partition";
    }
    if (!parts[2].equals("iam")) {
      return "the service is '" + parts[2] + "', not 'iam'";
    }
    if (!parts[3].isEmpty()) {
      return "an IAM ARN has no region, found '" + parts[3] + "'";
    }
    if (!parts[4].matches("\\d{12}")) {
      return "the account id '" + parts[4] + "' is not 12 digits";
    }
    if (!parts[5].startsWith("role/")) {
      return "'" + parts[5] + "' is not a role (role/...)";
    }
    if (parts[5].endsWith("/")) {
      return "the role name after 'role/'" + (parts[5].indexOf('/') < parts[5].length() - 1 ? " and its path" : "")
          + " is empty";
    }
    for (char c : parts[5].toCharArray()) {
      if (Character.isWhitespace(c)) {
        return "the role name or path has characters IAM does not allow: whitespace";
      }
    }
    return "the role name or path has characters IAM does not allow";
  }

  /**
   * Checks that this role lives in the partition of {@code region}: a role in {@code aws-cn} cannot
   * be assumed for a bucket in {@code eu-west-1}.
   *
   * @throws InvalidInputException naming field {@code roleArn} if the partitions differ
   */
  public RoleArn requireSamePartitionAs(AwsRegion region) {
    if (!partition.equals(region.partition())) {
      throw InvalidInputException.of("roleArn", toString(), "a role in partition " + region.partition() + ", the"
          + " partition of region " + region.id() + "; this one is in " + partition);
    }
    return this;
  }

  /**
   * Checks the ARN of a KMS key (SSE-KMS): {@code arn:<partition>:kms:<region>:<account>:key/<key id>};
   * an alias cannot authorize {@code kms:Decrypt} in an IAM policy.
   *
   * @return the violation on {@code field}, or {@code null} if the ARN is valid
   */
  public static Violation kmsKeyArnViolation(String field, String arn) {
    return arn != null && KMS_KEY_ARN.matcher(arn).matches() ? null : Violation.of(field, arn, "a KMS key ARN,"
        + " arn:<partition>:kms:<region>:<account>:key/<key id> (an alias cannot authorize kms:Decrypt in an IAM policy)");
  }

  /** The partition, e.g. {@code aws} or {@code aws-cn}. */
  public String partition() {
    return partition;
  }

  /** The 12-digit id of the account that owns the role: the bucket's expected owner. */
  public String accountId() {
    return accountId;
  }

  /** The role's path, {@code /} when it has none. */
  public String path() {
    return path;
  }

  /** The role's name. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoleArn && o.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return "arn:" + partition + ":iam::" + accountId + ":role" + path + name;
  }
}
