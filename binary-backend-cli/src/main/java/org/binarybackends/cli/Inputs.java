package org.binarybackends.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.spi.BackendContext;
import org.binarybackends.spi.BackendSettings;

/** Settings and documents from a file, or from stdin for {@code -}. */
final class Inputs {
  /** Settings and documents are small: a larger input is refused, not read. */
  static final int MAX_TEXT = 256 * 1024;

  private Inputs() {}

  static String text(String what, String source, InputStream stdin) {
    try {
      byte[] bytes;
      if (source.equals("-")) {
        bytes = stdin.readNBytes(MAX_TEXT + 1);
      } else {
        try (InputStream in = Files.newInputStream(Path.of(source))) {
          bytes = in.readNBytes(MAX_TEXT + 1);
        }
      }
      if (bytes.length > MAX_TEXT) {
        throw new ExitCode.CliException(ExitCode.INVALID, what + " " + source + ": over " + MAX_TEXT / 1024
            + " KiB; settings and documents are small");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ExitCode.CliException(ExitCode.INVALID, what + " " + source + ": cannot be read (" + e + ")");
    }
  }

  static BackendSettings settings(String source, InputStream stdin) {
    return BinaryBackendRegistry.installed().readSettings(text("settings", source, stdin));
  }

  static BinaryBackend backend(String source, InputStream stdin, BackendContext context) {
    return BinaryBackendRegistry.installed().create(settings(source, stdin), context);
  }
}
