/**
 * Customer S3 buckets reached through the STS role chain. In progress: the AWS names and their
 * rules, and the role chain; the backend and its provider follow.
 */
module org.binarybackends.s3 {
  requires transitive org.binarybackends.api;
  requires transitive software.amazon.awssdk.regions;
  requires transitive software.amazon.awssdk.auth;
  requires transitive software.amazon.awssdk.identity.spi;
  requires transitive software.amazon.awssdk.http;
  requires software.amazon.awssdk.services.sts;
  requires software.amazon.awssdk.services.s3;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.awscore;
  requires org.slf4j;

  exports org.binarybackends.s3;
  exports org.binarybackends.s3.policy;
}
