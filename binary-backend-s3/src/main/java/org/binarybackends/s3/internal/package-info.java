/**
 * What the CloudFront module needs of the S3 module and no caller does: exported to it alone. Not
 * API; it may change in any release.
 */
package org.binarybackends.s3.internal;
