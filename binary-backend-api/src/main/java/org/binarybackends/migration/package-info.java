/**
 * Moving an organization's binaries from one storage to another, verified and resumable, while it
 * keeps serving: {@link org.binarybackends.migration.Migrations}, from {@code
 * BinaryBackends.migrations()}.
 */
package org.binarybackends.migration;
