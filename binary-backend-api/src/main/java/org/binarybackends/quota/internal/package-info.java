/**
 * How quotas are enforced: the ledger kept in one shared note per organization and changed by
 * compare-and-set ({@code QuotaLedger}), and the default storage's wrapper that reserves an
 * upload's bytes before they are written and commits or releases them after ({@code QuotaGuard}).
 * Not exported.
 */
package org.binarybackends.quota.internal;
