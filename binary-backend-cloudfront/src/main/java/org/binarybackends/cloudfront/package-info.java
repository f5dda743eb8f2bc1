/**
 * CloudFront signed URLs: {@link org.binarybackends.cloudfront.CloudFrontKey} reads the private key
 * of a key pair in any of the formats people have, and accepts only what CloudFront accepts;
 * {@link org.binarybackends.cloudfront.CloudFrontSigner} signs canned and custom policies.
 */
package org.binarybackends.cloudfront;
