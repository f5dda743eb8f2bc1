/**
 * CloudFront signed downloads in front of an organization's bucket. In progress: keys and signed
 * URLs; the backend follows.
 */
module org.binarybackends.cloudfront {
  requires transitive org.binarybackends.api;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires software.amazon.awssdk.services.cloudfront;

  exports org.binarybackends.cloudfront;
}
