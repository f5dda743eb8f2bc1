/** For tests: the contract suite every backend's tests extend, and its helpers. */
module org.binarybackends.testkit {
  requires transitive org.binarybackends.api;
  requires transitive org.junit.jupiter.api;
  requires transitive org.junit.jupiter.params;
  requires transitive org.assertj.core;
  requires jdk.httpserver;
  requires java.net.http;

  exports org.binarybackends.testkit;

  opens org.binarybackends.testkit to org.junit.platform.commons;
}
