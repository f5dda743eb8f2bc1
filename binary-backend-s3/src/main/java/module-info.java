/**
 * Customer S3 buckets reached through the STS role chain: the backend (type {@code s3}), its
 * settings and their rules, the role chain, and the onboarding policies.
 */
module org.binarybackends.s3 {
  requires transitive org.binarybackends.api;
  requires transitive software.amazon.awssdk.regions;
  requires transitive software.amazon.awssdk.auth;
  requires transitive software.amazon.awssdk.identity.spi;
  requires transitive software.amazon.awssdk.http;
  requires software.amazon.awssdk.services.sts;
  requires software.amazon.awssdk.services.s3;
  requires transitive software.amazon.awssdk.core; // S3Platform takes its ClientOverrideConfiguration
  requires software.amazon.awssdk.metrics; // StallGuard passes the request's metric collector on
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.http.auth.aws;
  requires software.amazon.awssdk.http.auth.spi;
  requires com.fasterxml.jackson.databind;
  requires java.net.http; // for the tests, compiled into this module: they fetch URLs as devices do
  requires org.slf4j;

  exports org.binarybackends.s3;
  exports org.binarybackends.s3.policy;
  exports org.binarybackends.s3.internal to org.binarybackends.cloudfront;

  provides org.binarybackends.spi.BinaryBackendProvider with org.binarybackends.s3.S3BackendProvider,
      org.binarybackends.s3.PlatformBucketProvider;
}
