/**
 * The activation rule: which backend an organization's new binaries go to, and when that changes.
 *
 * <p>An organization has at most one <em>active</em> custom configuration, serving its uploads, and
 * at most one <em>staged</em> one, being verified (its first registration, or a change). A
 * configuration has an upload configuration and a download configuration; each is {@link
 * org.binarybackends.activation.PartStatus#PENDING pending}, {@code ACTIVE} or {@code DEGRADED}.
 * {@link org.binarybackends.BinaryBackends} verifies configurations and moves these states in an
 * {@link org.binarybackends.activation.OrganizationStateStore} with compare-and-set, and answers
 * where uploads go and where a stored binary's bytes are.
 */
package org.binarybackends.activation;
