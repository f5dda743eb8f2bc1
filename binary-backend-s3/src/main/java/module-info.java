/**
 * Customer S3 buckets reached through the STS role chain. In progress: the AWS names and their
 * rules; the backend and its provider follow.
 */
module org.binarybackends.s3 {
  requires transitive org.binarybackends.api;
  requires software.amazon.awssdk.regions;

  exports org.binarybackends.s3;
}
