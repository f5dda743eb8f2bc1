/**
 * CloudFront signed downloads in front of an organization's bucket (type {@code cloudfront}) or of
 * the platform's bucket for every organization (type {@code platform-cloudfront}): keys
 * parsed with BouncyCastle, signed URLs and cookies, a URL cache for fleets, key rotation, and a
 * verify that fetches a probe through the distribution.
 */
module org.binarybackends.cloudfront {
  requires transitive org.binarybackends.api;
  requires transitive org.binarybackends.s3;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires software.amazon.awssdk.services.cloudfront;
  requires com.fasterxml.jackson.databind;
  requires java.net.http; // for the tests, compiled into this module: they fetch URLs as devices do
  requires org.slf4j;

  exports org.binarybackends.cloudfront;

  provides org.binarybackends.spi.BinaryBackendProvider with org.binarybackends.cloudfront.CloudFrontBackendProvider,
      org.binarybackends.cloudfront.PlatformCloudFrontProvider;
}
