package org.binarybackends.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.s3.policy.TrustPolicyCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code check-trust -f SETTINGS FILE|-}: a pasted trust policy held against the expected one. */
@Command(name = "check-trust", mixinStandardHelpOptions = true,
    description = "Holds a trust policy (as the customer pasted it) against the one expected for the"
        + " organization's s3 settings: each problem on its own line; exit 1 if it does not trust the platform.",
    footerHeading = "%nExample:%n",
    footer = "  aws iam get-role --role-name acme-binaries --query Role.AssumeRolePolicyDocument \\%n"
        + "    | binary-backends --config platform.json check-trust -f acme-s3.json -")
final class CheckTrustCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Option(names = {"-f", "--settings"}, required = true, paramLabel = "FILE",
      description = "the organization's s3 settings (JSON)")
  String settings;

  @Parameters(index = "0", paramLabel = "POLICY|-", description = "the trust policy (JSON), or - for stdin")
  String policy;

  @Override
  public Integer call() {
    if (settings.equals("-") && policy.equals("-")) {
      throw new ExitCode.CliException(ExitCode.USAGE, "the settings and the policy cannot both come from stdin");
    }
    try (PlatformConfig config = main.config()) {
      S3Settings s = PolicyCommand.s3(settings, main.stdin);
      String arn = PolicyCommand.platformRole(s, config).arn(s.roleArn().partition());
      TrustPolicyCheck.Result r = new TrustPolicyCheck(arn, Optional.empty(), s.organization())
          .check(Inputs.text("policy", policy, main.stdin));
      Output out = main.out();
      if (out.json()) {
        var o = Output.object().put("trusted", r.trusted());
        r.problems().forEach(o.putArray("problems")::add);
        r.remarks().forEach(o.putArray("remarks")::add);
        out.json(o);
      } else {
        out.line(r.trusted() ? "trusted: the policy lets " + arn + " assume the role with external id "
            + s.organization().value() : "NOT trusted");
        r.problems().forEach(p -> out.line("problem: " + p));
        r.remarks().forEach(p -> out.line("remark: " + p));
      }
      return r.trusted() ? ExitCode.OK : ExitCode.FAILED;
    }
  }
}
