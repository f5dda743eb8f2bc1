package org.binarybackends.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.binarybackends.InvalidInputException;

/**
 * The schema the PostgreSQL store runs on: versioned SQL shipped in this jar
 * ({@code org/binarybackends/postgres/schema/V<n>.sql}), applied in order. Plain SQL rather than
 * Flyway or Liquibase: the embedding service often runs its own Flyway, whose history table, version
 * and configuration a library must not share or fight over, and five statements do not need a tool.
 * A DBA can print it ({@link #sql}) and apply it by hand, then open the store with {@link
 * SchemaMode#VALIDATE}.
 */
public final class PostgresSchema {
  /** The schema version this library writes and needs. */
  public static final int VERSION = 1;
  /**
   * The newest schema version this library runs against: one more than its own, as during a
   * rolling upgrade where the next version migrated first (every migration is additive).
   */
  public static final int NEWEST_SUPPORTED = VERSION + 1;

  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,49}");

  private PostgresSchema() {}

  /**
   * Checks a schema name: lower-case letters, digits and underscores, starting with a letter or an
   * underscore, at most 50 characters (it also names the notification channel).
   *
   * @return it, quoted as an identifier
   * @throws InvalidInputException naming the field, the value and what is allowed
   */
  static String quoted(String schema) {
    if (schema == null || !NAME.matcher(schema).matches() || schema.startsWith("pg_")) {
      throw InvalidInputException.of("schema", schema, "a schema name of lower-case letters, digits and '_',"
          + " starting with a letter or '_', not 'pg_', at most 50 characters");
    }
    return "\"" + schema + "\"";
  }

  /** The SQL of every version up to {@link #VERSION} for {@code schema}, as a DBA would run it. */
  public static String sql(String schema) {
    StringBuilder out = new StringBuilder();
    for (int v = 1; v <= VERSION; v++) {
      out.append(migration(schema, v)).append('\n');
      out.append("INSERT INTO ").append(quoted(schema)).append(".schema_version (version, applied_by) VALUES (")
          .append(v).append(", 'by hand');\n\n");
    }
    return out.toString();
  }

  /** The SQL of version {@code version} for {@code schema}. */
  static String migration(String schema, int version) {
    String name = "schema/V" + version + ".sql";
    try (InputStream in = PostgresSchema.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${schema}", quoted(schema));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The statements of a migration, split at the semicolons that end lines (the files have no others). */
  static List<String> statements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        out.add(current.toString().strip());
        current.setLength(0);
      }
    }
    return out;
  }
}
