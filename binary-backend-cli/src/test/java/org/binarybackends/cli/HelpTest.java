package org.binarybackends.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every command's {@code --help}, with an example, and the usage errors' exit code, run in this JVM
 * through the same entry point the jar's {@code main} calls ({@code CliIT} runs the jar itself).
 */
class HelpTest {
  private static final List<String> COMMANDS = List.of("policy", "check-trust", "verify", "status", "register",
      "check", "remove", "allow-fallback", "sign", "keys", "put", "get", "stat", "ls", "rm", "migrate");

  private static String[] run(int expected, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
    String o = out.toString(StandardCharsets.UTF_8);
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(String.join(" ", args) + ": " + e).isEqualTo(expected);
    return new String[] {o, e};
  }

  @Test
  void everyCommandHasHelpWithAnExample() {
    for (String command : COMMANDS) {
      String help = run(0, command, "--help")[0];
      assertThat(help).as(command).contains("Usage: binary-backends " + command, "Example:");
      assertThat(help.substring(help.indexOf("Example:"))).as(command).contains("binary-backends ");
    }
    assertThat(run(0, "--help")[0]).contains(COMMANDS.toArray(new String[0]));
  }

  @Test
  void aMissingArgumentOrAnUnknownOptionIsAUsageErrorNamingTheCommand() {
    for (String command : COMMANDS) {
      String err = run(2, command, "--no-such-option")[1];
      // picocli reports the first problem: the unknown option, or a parameter missing before it
      assertThat(err).as(command).startsWith("error: ").contains("(see: binary-backends " + command + " --help)")
          .as("one line").hasLineCount(1);
    }
    assertThat(run(2, "put")[1]).contains("ORG");
  }

  /** The README shows the top-level help: it must be what the code prints, or the test says how to fix it. */
  @Test
  void theReadmesHelpIsTheCodes() throws java.io.IOException {
    String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
    String marker = "<!-- binary-backends --help: checked by HelpTest -->";
    int at = readme.indexOf(marker);
    assertThat(at).as("the README marks the help block with " + marker).isPositive();
    int start = readme.indexOf("```text\n", at) + "```text\n".length();
    String shown = readme.substring(start, readme.indexOf("```", start));
    assertThat(shown).as("README.md's help block; replace it with the output of binary-backends --help")
        .isEqualTo(run(0, "--help")[0]);
  }

  @Test
  void aLiteralSecretIsRefusedWithoutBeingShown() {
    ExitCode.CliException e = org.assertj.core.api.Assertions.catchThrowableOfType(ExitCode.CliException.class,
        () -> Secrets.resolve("stateStore.keys[].secret", "hunter2-literal", Map.of()));
    assertThat(e.code()).isEqualTo(ExitCode.INVALID);
    assertThat(e.getMessage()).contains("env:NAME or file:PATH").doesNotContain("hunter2");
    assertThat(Secrets.resolve("x", "env:X", Map.of("X", "value")).revealUtf8()).isEqualTo("value");
  }
}
