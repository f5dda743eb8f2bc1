/** An example backend plugin: binaries kept in memory, for tests and demos. */
module com.example.binaries.memory {
  requires org.binarybackends.api;

  exports com.example.binaries.memory;

  provides org.binarybackends.spi.BinaryBackendProvider with com.example.binaries.memory.InMemoryBackendProvider;
}
