package org.binarybackends.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.binarybackends.Secret;

/**
 * Secrets come from the environment or from files, never from the command line (where `ps` and the
 * shell's history would show them): every option or config field that takes one accepts only
 * {@code env:NAME} or {@code file:PATH} (the file's content, one trailing newline dropped).
 */
final class Secrets {
  private Secrets() {}

  /**
   * The secret {@code reference} names, for {@code field}.
   *
   * @throws ExitCode.CliException (invalid) for a literal value, an unset variable or an unreadable file;
   *     the message never holds the value
   */
  static Secret resolve(String field, String reference, Map<String, String> env) {
    if (reference == null) {
      throw new ExitCode.CliException(ExitCode.INVALID, field + ": missing; give env:NAME or file:PATH");
    }
    if (reference.startsWith("env:")) {
      String name = reference.substring(4);
      String value = env.get(name);
      if (value == null || value.isEmpty()) {
        throw new ExitCode.CliException(ExitCode.INVALID, field + ": the environment variable " + name
            + " is not set");
      }
      return Secret.of(value);
    }
    if (reference.startsWith("file:")) {
      Path path = Path.of(reference.substring(5));
      try {
        String value = Files.readString(path, StandardCharsets.UTF_8);
        return Secret.of(value.endsWith("\n") ? value.substring(0, value.length() - 1) : value);
      } catch (IOException e) {
        throw new ExitCode.CliException(ExitCode.INVALID, field + ": cannot read " + path + " (" + e.getClass()
            .getSimpleName() + ")");
      }
    }
    throw new ExitCode.CliException(ExitCode.INVALID, field + ": a secret is never given on the command line or"
        + " in the config file itself; give env:NAME or file:PATH");
  }
}
