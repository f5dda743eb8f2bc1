/** Organizations' activation state and backends' notes in PostgreSQL, for several service instances. */
module org.binarybackends.postgres {
  requires transitive org.binarybackends.api;
  requires transitive java.sql;
  requires org.slf4j;
  requires org.postgresql.jdbc;

  exports org.binarybackends.postgres;
}
