/**
 * What a customer applies in IAM and S3 to give the platform its bucket, generated rather than
 * copied by hand ({@link org.binarybackends.s3.policy.OnboardingPolicies}), and a check of the trust
 * policy a customer pasted or IAM returned ({@link org.binarybackends.s3.policy.TrustPolicyCheck}).
 */
package org.binarybackends.s3.policy;
