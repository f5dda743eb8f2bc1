package org.binarybackends.cloudfront;

import java.util.function.BiFunction;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;

/**
 * What a CloudFront backend fronts: one organization's bucket ({@code cloudfront}), or the
 * platform's bucket serving every organization under a root of its own ({@code
 * platform-cloudfront}). Says where an organization's binary is in the bucket and so in the
 * distribution's URLs, and whose shared notes hold the distribution's key rotation state: the
 * organization's, or the platform's, once for every organization. Immutable.
 */
final class Front {
  /**
   * Whose notes hold the platform distribution's key rotation state: no organization's, as no
   * organization's id may start with {@code .} in the platform's bucket.
   */
  static final OrganizationId PLATFORM_NOTES = OrganizationId.of(".platform-cloudfront");

  final BackendInstanceId instanceId;
  final OrganizationId notesOwner;
  final String bucket;
  /** The prefix of every object the distribution serves, in the bucket. */
  final String prefix;
  /** For messages: whose backend this is. */
  final String owner;
  private final BiFunction<OrganizationId, ObjectKey, String> objectKey;

  private Front(BackendInstanceId instanceId, OrganizationId notesOwner, String bucket, String prefix, String owner,
      BiFunction<OrganizationId, ObjectKey, String> objectKey) {
    this.instanceId = instanceId;
    this.notesOwner = notesOwner;
    this.bucket = bucket;
    this.prefix = prefix;
    this.owner = owner;
    this.objectKey = objectKey;
  }

  static Front of(CloudFrontSettings s) {
    return new Front(s.instanceId(), s.origin().organization(), s.origin().bucket().value(), s.origin().prefix(),
        "the CloudFront backend of " + s.origin().organization(), s.origin()::objectKey);
  }

  static Front of(PlatformCloudFrontSettings s) {
    return new Front(s.instanceId(), PLATFORM_NOTES, s.origin().bucket().value(), s.origin().prefix(),
        "the platform's CloudFront backend", s.origin()::objectKey);
  }

  /**
   * The key of {@code organization}'s binary {@code key} in the bucket, checked: the organization
   * (the bucket's, or any valid one in the platform's), the reserved records, the length.
   */
  String objectKey(OrganizationId organization, ObjectKey key) {
    return objectKey.apply(organization, key);
  }

  /** The key of an object of the bucket as the distribution's URLs name it, after {@link Distribution#urlPathPrefix}. */
  ObjectKey urlKey(String objectKey) {
    return ObjectKey.of(objectKey.substring(prefix.length()));
  }
}
