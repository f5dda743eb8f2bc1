/**
 * The CloudFront backend's implementation details, not exported: the fleet cache of signed URLs.
 * Nothing here is API; it may change in any release.
 */
package org.binarybackends.cloudfront.internal;
