/**
 * The contract every backend must pass ({@link org.binarybackends.testkit.BinaryBackendContract}),
 * and what its tests need: a {@link org.binarybackends.testkit.ManualClock}, generated content of
 * any length that is never held in memory ({@link org.binarybackends.testkit.GeneratedContent}).
 */
package org.binarybackends.testkit;
