/** The default storage: the platform's own, embedded on the local filesystem. */
module org.binarybackends.defaultstore {
  requires transitive org.binarybackends.api;
  requires org.slf4j;
  requires io.netty.codec.http;
  requires io.netty.codec;
  requires io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.common;
  requires java.net.http;

  exports org.binarybackends.defaultstore;

  provides org.binarybackends.spi.BinaryBackendProvider with org.binarybackends.defaultstore.DefaultStorageProvider;
}
