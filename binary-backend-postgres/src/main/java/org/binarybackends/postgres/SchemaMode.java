package org.binarybackends.postgres;

/** What {@link PostgresStateStore} does with its schema when it opens. */
public enum SchemaMode {
  /**
   * Creates or upgrades the schema to the version this library needs, once across instances
   * starting together (the migration holds {@code pg_advisory_xact_lock}); the role needs {@code
   * CREATE} on the database (or the schema). The default.
   */
  MIGRATE,
  /**
   * Only checks: opening fails, naming both versions, if the schema is older than this library needs
   * or more than one version newer than it can run against. For a DBA who applies {@link
   * PostgresSchema#sql} by hand.
   */
  VALIDATE,
  /** Neither: the schema is someone else's concern; a missing table fails the first call instead. */
  NONE
}
