package org.binarybackends.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code binary-backends}: the operator's command line. Data on stdout, logs and progress on stderr;
 * {@code -o text|json}; settings from a file or stdin ({@code -f -}); secrets only as {@code env:NAME}
 * or {@code file:PATH}; the exit codes of {@link ExitCode}. Commands acting on state run one check and
 * exit: the activator's schedule never starts.
 */
@Command(name = "binary-backends", mixinStandardHelpOptions = true, version = "binary-backends 0.1.0",
    description = "Onboard organizations' storage, verify it, see and change their states, sign download URLs,"
        + " and move binaries, without writing code.",
    subcommands = {PolicyCommand.class, CheckTrustCommand.class, VerifyCommand.class, StateCommands.Status.class,
        StateCommands.Register.class, StateCommands.Check.class, StateCommands.Remove.class,
        StateCommands.AllowFallback.class, SignCommand.class, KeysCommand.class, ObjectCommands.Put.class, ObjectCommands.Get.class,
        ObjectCommands.Stat.class, ObjectCommands.Ls.class, ObjectCommands.Rm.class, MigrateCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:ok", "1:checks failed, differences found, or refused by a quota",
        "2:usage error", "3:invalid configuration or input", "4:unreachable or retryable", "5:not found",
        "6:access denied", "7:integrity mismatch", "130:interrupted (Ctrl-C); an upload in progress was aborted"},
    footerHeading = "%nExample:%n", footer = "  binary-backends verify -f s3-settings.json -o json")
public final class Main implements Runnable {
  @Option(names = "--config", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "the platform's config file (default: $BINARY_BACKENDS_CONFIG)")
  Path config;

  @Option(names = "--state-key", scope = ScopeType.INHERIT, paramLabel = "ID=env:NAME|file:PATH",
      description = "the key sealing the stored settings, instead of the config's stateStore.keys; its secret only"
          + " as env:NAME or file:PATH, never the value")
  String stateKey;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, paramLabel = "text|json",
      description = "how data is printed: text (default) or json")
  Output.Format output = Output.Format.text;

  /** What a command runs with: the process's streams and environment, replaced in tests. */
  final InputStream stdin;
  final PrintStream stdout;
  final PrintStream stderr;
  final Map<String, String> env;

  Main(InputStream stdin, PrintStream stdout, PrintStream stderr, Map<String, String> env) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.env = env;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(new CommandLine(this), "a command is required; see --help");
  }

  PlatformConfig config() {
    return PlatformConfig.load(config, env, stateKey);
  }

  Output out() {
    return new Output(output, stdout);
  }

  public static void main(String[] args) {
    String level = System.getenv("BINARY_BACKENDS_LOG");
    if (level != null && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    }
    int code = run(args, System.in, new PrintStream(System.out, true, StandardCharsets.UTF_8),
        new PrintStream(System.err, true, StandardCharsets.UTF_8), System.getenv());
    if (!Interrupts.shuttingDown()) { // after Ctrl-C the JVM is exiting already, with 130
      System.exit(code);
    }
  }

  /** Runs one command line; returns its exit code. */
  static int run(String[] args, InputStream stdin, PrintStream stdout, PrintStream stderr, Map<String, String> env) {
    CommandLine cli = new CommandLine(new Main(stdin, stdout, stderr, env));
    cli.setOut(new java.io.PrintWriter(stdout, true));
    cli.setErr(new java.io.PrintWriter(stderr, true));
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setParameterExceptionHandler((e, a) -> {
      stderr.println("error: " + e.getMessage().replace('\n', ' ') + " (see: "
          + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
      return ExitCode.USAGE;
    });
    cli.setExecutionExceptionHandler((e, c, parsed) -> {
      stderr.println("error: " + Output.message(e).replace('\n', ' '));
      return ExitCode.of(e);
    });
    return cli.execute(args);
  }
}
