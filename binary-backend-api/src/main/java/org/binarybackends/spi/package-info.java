/**
 * What a backend implements: a stateless {@link org.binarybackends.spi.BinaryBackendProvider}
 * found by {@link java.util.ServiceLoader}, the {@link org.binarybackends.spi.BackendSettings} it
 * reads, and the shared {@link org.binarybackends.spi.BackendContext} it is given.
 */
package org.binarybackends.spi;
