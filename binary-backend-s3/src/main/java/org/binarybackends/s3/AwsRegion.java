package org.binarybackends.s3;

import java.util.List;
import org.binarybackends.InvalidInputException;
import org.binarybackends.Violation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * An AWS region the SDK knows, with its partition. A region the SDK's metadata does not list (a typo,
 * or a region newer than the SDK) is refused: its endpoints and partition would be guesses.
 * Immutable.
 */
public final class AwsRegion {
  private final Region region;
  private final String partition;

  private AwsRegion(Region region, String partition) {
    this.region = region;
    this.partition = partition;
  }

  /**
   * The region {@code id}, e.g. {@code eu-west-1}.
   *
   * @throws InvalidInputException naming field {@code region} if the SDK does not know it
   */
  public static AwsRegion of(String id) {
    return of("region", id);
  }

  static AwsRegion of(String field, String id) {
    if (id == null || id.isBlank()) {
      throw new InvalidInputException(List.of(Violation.missing(field, "an AWS region id such as eu-west-1")));
    }
    RegionMetadata metadata = id.matches("[a-z0-9-]{1,64}") ? RegionMetadata.of(Region.of(id)) : null;
    if (metadata == null) {
      throw InvalidInputException.of(field, id, "an AWS region known to AWS SDK for Java 2.57, such as us-east-1 or"
          + " eu-west-1; global pseudo-regions and regions newer than the SDK are not accepted");
    }
    return new AwsRegion(Region.of(id), metadata.partition().id());
  }

  /** The region id, e.g. {@code eu-west-1}. */
  public String id() {
    return region.id();
  }

  /** The partition it belongs to, e.g. {@code aws}, {@code aws-cn}. */
  public String partition() {
    return partition;
  }

  /** The SDK's region. */
  public Region sdkRegion() {
    return region;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AwsRegion && ((AwsRegion) o).region.equals(region);
  }

  @Override
  public int hashCode() {
    return region.hashCode();
  }

  @Override
  public String toString() {
    return region.id();
  }
}
