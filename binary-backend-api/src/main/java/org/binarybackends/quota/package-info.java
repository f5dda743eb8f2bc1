/**
 * Storage quotas on the platform's default storage: per-organization limits on stored bytes and on
 * the number of binaries ({@link org.binarybackends.quota.StorageQuota}), given to the entry point
 * by {@link org.binarybackends.quota.StorageQuotas}, enforced at every put and direct upload start
 * with {@link org.binarybackends.QuotaExceededException}, and counted in the state store's shared
 * notes so that every service instance counts the same uploads.
 */
package org.binarybackends.quota;
