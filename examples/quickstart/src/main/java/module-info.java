/** The quickstart program. */
module org.binarybackends.examples.quickstart {
  requires org.binarybackends.defaultstore;
  requires java.net.http;
}
