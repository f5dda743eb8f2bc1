/**
 * What a caller of the library types: {@link org.binarybackends.BinaryBackend}, the value types
 * it takes and returns, the {@link org.binarybackends.BinaryBackendRegistry} that finds backends,
 * and the exceptions, all rooted at {@link org.binarybackends.BinaryBackendException}.
 *
 * <p>Every value type here is immutable and thread-safe, and validates at construction: a bad
 * value is refused with an {@link org.binarybackends.InvalidInputException} naming the field, the
 * value (never a secret) and what is allowed.
 */
package org.binarybackends;
