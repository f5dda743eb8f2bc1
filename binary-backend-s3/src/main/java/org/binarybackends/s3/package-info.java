/**
 * The AWS names a customer's storage is described by, each validated by the rules AWS applies:
 * {@link org.binarybackends.s3.BucketName}, {@link org.binarybackends.s3.RoleArn},
 * {@link org.binarybackends.s3.AwsRegion}, and the platform-side role of an organization,
 * {@link org.binarybackends.s3.PlatformRole}. A name that breaks a rule is refused before any AWS
 * call, with an {@link org.binarybackends.InvalidInputException} naming the field and each rule broken.
 */
package org.binarybackends.s3;
