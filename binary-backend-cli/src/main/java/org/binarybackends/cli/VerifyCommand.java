package org.binarybackends.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.binarybackends.BinaryBackend;
import org.binarybackends.VerificationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code verify -f SETTINGS}: the backend's verify, every check with its diagnosis; exit 1 if one failed. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = "Runs a backend's verify and prints every check with its diagnosis (exit 1 if one failed).",
    footerHeading = "%nExample:%n", footer = "  binary-backends --config platform.json verify -f acme-s3.json")
final class VerifyCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Option(names = {"-f", "--settings"}, required = true, paramLabel = "FILE|-",
      description = "the backend's settings (JSON), or - for stdin")
  String settings;

  /** The verify of the backend {@code settings} name, built with the config's platform, then closed. */
  static VerificationReport verify(Main main, String settings) {
    try (PlatformConfig config = main.config();
        BinaryBackend backend = Inputs.backend(settings, main.stdin, config.context())) {
      return backend.verify();
    }
  }

  @Override
  public Integer call() {
    VerificationReport report = verify(main, settings);
    Output out = main.out();
    if (out.json()) {
      ObjectNode o = Output.object().put("storage", report.instance().toString()).put("passed", report.passed())
          .put("checkedAt", report.checkedAt().toString());
      ArrayNode checks = o.putArray("checks");
      report.checks().forEach(c -> checks.addObject().put("name", c.name()).put("status", c.status().name())
          .put("detail", c.detail()).put("retryable", c.retryable()));
      out.json(o);
    } else {
      out.line(report.instance() + ": " + (report.passed() ? "passed" : "FAILED"));
      report.checks().forEach(c -> out.line("  " + c.status() + " " + c.name() + ": " + c.detail()
          + (c.retryable() ? " (retryable)" : "")));
    }
    if (report.passed()) {
      return ExitCode.OK;
    }
    boolean retryable = report.failures().stream().allMatch(VerificationReport.Check::retryable);
    return retryable ? ExitCode.UNAVAILABLE : ExitCode.FAILED;
  }
}
