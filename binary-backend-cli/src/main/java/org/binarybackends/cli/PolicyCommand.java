package org.binarybackends.cli;

import java.util.concurrent.Callable;
import org.binarybackends.InvalidInputException;
import org.binarybackends.s3.PlatformRole;
import org.binarybackends.s3.S3Settings;
import org.binarybackends.s3.policy.OnboardingPolicies;
import org.binarybackends.s3.policy.PolicyDocument;
import org.binarybackends.spi.BackendSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code policy KIND -f SETTINGS}: an onboarding document for an organization's s3 settings, ready to paste. */
@Command(name = "policy", mixinStandardHelpOptions = true,
    description = "Prints an onboarding document (JSON) for an organization's s3 settings: permissions (the"
        + " customer role's), trust (its trust policy), platform-role (the platform-side role's trust and"
        + " permissions), lifecycle (the rule removing interrupted uploads), oac (the bucket statement letting a"
        + " CloudFront distribution read).",
    footerHeading = "%nExample:%n", footer = "  binary-backends --config platform.json policy trust -f acme-s3.json")
final class PolicyCommand implements Callable<Integer> {
  enum Kind { permissions, trust, platform_role, lifecycle, oac }

  @ParentCommand
  Main main;

  @Parameters(index = "0", paramLabel = "KIND", description = "permissions, trust, platform-role, lifecycle or oac")
  String kind;

  @Option(names = {"-f", "--settings"}, required = true, paramLabel = "FILE|-",
      description = "the organization's s3 settings (JSON), or - for stdin")
  String settings;

  @Option(names = "--distribution-arn", paramLabel = "ARN", description = "for oac: the distribution's ARN")
  String distributionArn;

  @Option(names = "--days", paramLabel = "N", defaultValue = "7",
      description = "for lifecycle: days after which an interrupted upload is removed (default 7)")
  int days;

  static S3Settings s3(String source, java.io.InputStream stdin) {
    BackendSettings s = Inputs.settings(source, stdin);
    if (!(s instanceof S3Settings)) {
      throw InvalidInputException.of("settings", s.type(), "an organization's s3 settings");
    }
    return (S3Settings) s;
  }

  static PlatformRole platformRole(S3Settings s, PlatformConfig config) {
    return PlatformRole.of(s.organization(), s.roleName(), config.accountId());
  }

  @Override
  public Integer call() {
    try (PlatformConfig config = main.config()) {
      S3Settings s = s3(settings, main.stdin);
      OnboardingPolicies p = new OnboardingPolicies(s.bucket(), s.prefix(), s.organization(), platformRole(s, config),
          s.roleArn(), config.principalArn(), s.kmsKeyArn());
      switch (kind.replace('-', '_')) {
        case "permissions":
          print(p.customerPermissions());
          break;
        case "trust":
          print(p.customerTrust());
          break;
        case "platform_role":
          print(p.platformRoleTrust());
          print(p.platformRolePermissions());
          break;
        case "lifecycle":
          print(p.abortIncompleteUploads(days));
          break;
        case "oac":
          if (distributionArn == null) {
            throw new ExitCode.CliException(ExitCode.USAGE, "policy oac needs --distribution-arn");
          }
          print(p.cloudFrontReadAccess(distributionArn));
          break;
        default:
          throw new ExitCode.CliException(ExitCode.USAGE, "unknown policy " + kind
              + "; one of permissions, trust, platform-role, lifecycle, oac");
      }
      return ExitCode.OK;
    }
  }

  private void print(PolicyDocument d) {
    d.notes().forEach(n -> main.stderr.println("# " + d.title() + ": " + n));
    main.stdout.println(d.json());
  }
}
