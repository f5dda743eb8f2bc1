/** The library's meters in a Micrometer registry: {@code MicrometerInstrumentation.of(registry)}. */
module org.binarybackends.micrometer {
  requires transitive org.binarybackends.api;
  requires transitive micrometer.core;
  requires org.slf4j;

  exports org.binarybackends.micrometer;
}
