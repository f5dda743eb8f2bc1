/**
 * The API a caller types and the SPI a backend implements.
 *
 * <p>Depends on nothing at run time but the JDK, the SLF4J API, and Jackson (for settings read
 * from JSON). No cloud provider's type appears here.
 */
module org.binarybackends.api {
  requires transitive com.fasterxml.jackson.databind;
  requires org.slf4j;
  // whether the JVM hashes with SHA instructions (CryptoProviders); absent from a trimmed runtime image, then unknown
  requires static java.management;
  requires static jdk.management;

  exports org.binarybackends;
  exports org.binarybackends.spi;
  exports org.binarybackends.activation;
  exports org.binarybackends.quota;
  exports org.binarybackends.migration;

  // Jackson reads the value types' @JsonCreator factories reflectively.
  opens org.binarybackends to com.fasterxml.jackson.databind;

  uses org.binarybackends.spi.BinaryBackendProvider;
  // Amazon Corretto Crypto Provider, when present (CryptoProviders): found, never installed
  uses java.security.Provider;
}
