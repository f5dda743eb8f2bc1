/** An example backend plugin: binaries kept in memory, for tests and demos. */
module com.example.binaries.memory {
  requires transitive org.binarybackends.api; // its public types name the API's

  exports com.example.binaries.memory;

  provides org.binarybackends.spi.BinaryBackendProvider with com.example.binaries.memory.InMemoryBackendProvider;
}
