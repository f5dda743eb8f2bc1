package org.binarybackends.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.binarybackends.AccessDeniedException;
import org.binarybackends.BackendUnavailableException;
import org.binarybackends.BinaryNotFoundException;
import org.binarybackends.IntegrityException;
import org.binarybackends.InvalidConfigurationException;
import org.binarybackends.InvalidInputException;
import org.binarybackends.QuotaExceededException;

/**
 * The exit codes, stable across versions (scripts test them):
 *
 * <pre>
 *   0  ok
 *   1  checks failed, differences found, or refused by a quota
 *   2  usage error: an unknown command or option, a missing argument
 *   3  invalid configuration or input: settings, the config file, a key, an organization id
 *   4  unreachable or retryable: the storage, STS or the state store could not be reached, or asked to retry
 *   5  not found: no binary under the key, no such organization
 *   6  access denied, with the storage's diagnosis
 *   7  integrity mismatch: the bytes are not those promised
 *   130 interrupted (Ctrl-C): an upload in progress was aborted
 * </pre>
 */
final class ExitCode {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int INVALID = 3;
  static final int UNAVAILABLE = 4;
  static final int NOT_FOUND = 5;
  static final int ACCESS_DENIED = 6;
  static final int INTEGRITY = 7;
  static final int INTERRUPTED = 130;

  private ExitCode() {}

  /** The code a failure ends the command with. */
  static int of(Throwable e) {
    if (e instanceof Interrupted) {
      return INTERRUPTED;
    }
    if (e instanceof InvalidConfigurationException || e instanceof InvalidInputException
        || e instanceof CliException && ((CliException) e).code() == INVALID) {
      return INVALID;
    }
    if (e instanceof CliException) {
      return ((CliException) e).code();
    }
    if (e instanceof BinaryNotFoundException) {
      return NOT_FOUND;
    }
    if (e instanceof AccessDeniedException) {
      return ACCESS_DENIED;
    }
    if (e instanceof IntegrityException) {
      return INTEGRITY;
    }
    if (e instanceof QuotaExceededException) {
      return FAILED;
    }
    if (e instanceof BackendUnavailableException || e instanceof IOException || e instanceof UncheckedIOException) {
      return UNAVAILABLE;
    }
    return FAILED;
  }

  /** A failure of the command line itself, with its exit code. */
  static final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    CliException(int code, String message) {
      super(message);
      this.code = code;
    }

    int code() {
      return code;
    }
  }

  /** The operator pressed Ctrl-C. */
  static final class Interrupted extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Interrupted(String message) {
      super(message);
    }
  }
}
