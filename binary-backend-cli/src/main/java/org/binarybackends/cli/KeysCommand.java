package org.binarybackends.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.binarybackends.VerificationReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code keys -f CLOUDFRONT_SETTINGS}: the key rotation as the distribution answers it now: which key
 * signs, which are trusted at the edge, and when a replaced one may be removed. It is the backend's
 * verify (a probe fetched through the distribution with each key), its key checks shown.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "For a CloudFront distribution's settings: which key pair signs, which the edge trusts, and when a"
        + " replaced one may be removed from the key group (a probe is fetched through the distribution with each).",
    footerHeading = "%nExample:%n", footer = "  binary-backends --config platform.json keys -f acme-cloudfront.json")
final class KeysCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Option(names = {"-f", "--settings"}, required = true, paramLabel = "FILE|-",
      description = "the cloudfront or platform-cloudfront settings (JSON), or - for stdin")
  String settings;

  @Override
  public Integer call() {
    VerificationReport report = VerifyCommand.verify(main, settings);
    List<VerificationReport.Check> keys = report.checks().stream()
        .filter(c -> c.name().startsWith("key ") || c.name().equals("signed-get")).collect(Collectors.toList());
    if (keys.isEmpty()) {
      throw new ExitCode.CliException(ExitCode.INVALID, "settings " + settings + " are not a CloudFront"
          + " distribution's: their verify has no key checks");
    }
    Output out = main.out();
    if (out.json()) {
      var o = Output.object().put("passed", report.passed());
      var a = o.putArray("keys");
      keys.forEach(c -> a.addObject().put("check", c.name()).put("status", c.status().name()).put("detail",
          c.detail()));
      out.json(o);
    } else {
      keys.forEach(c -> out.line(c.status() + " " + c.name() + ": " + c.detail()));
    }
    return report.passed() ? ExitCode.OK : ExitCode.FAILED;
  }
}
