package org.binarybackends.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import org.binarybackends.BinaryBackends;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The organizations' states in the configured state store, through the entry point (never its
 * schedule: each command runs what it says, once, and exits).
 */
final class StateCommands {
  private StateCommands() {}

  static void print(Output out, OrganizationStatus s) {
    if (out.json()) {
      out.line(s.toJson());
      return;
    }
    out.line(s.organization().value() + ": uploads go to " + s.uploadsGoTo() + " (" + s.uploadsReason() + ")");
    s.active().ifPresent(c -> out.line("  active: " + c));
    s.staged().ifPresent(c -> out.line("  staged: " + c));
    s.retired().forEach(r -> out.line("  retired: " + r));
    s.nextCheck().ifPresent(t -> out.line("  next check: " + t));
  }

  /** Who acts, for the audit trail: required where the state changes. */
  static String actor(String actor) {
    if (actor == null || actor.isBlank()) {
      throw new ExitCode.CliException(ExitCode.USAGE, "--actor is required: who asks, for the audit trail");
    }
    return actor;
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Each organization's configurations, parts, reasons and next checks (all of them without ORG).",
      footerHeading = "%nExample:%n", footer = "  binary-backends --config platform.json status acme -o json")
  static final class Status implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "ORG", description = "the organization id")
    String organization;

    @Override
    public Integer call() {
      try (PlatformConfig config = main.config(); BinaryBackends b = config.binaries()) {
        Output out = main.out();
        if (organization != null) {
          OrganizationId org = OrganizationId.of(organization);
          if (!b.organizations().contains(org)) {
            throw new ExitCode.CliException(ExitCode.NOT_FOUND, "no organization " + organization
                + " in the state store (it uses the default storage and has never registered its own)");
          }
          print(out, b.status(org));
        } else {
          for (OrganizationId org : b.organizations()) {
            print(out, b.status(org));
          }
        }
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Registers a configuration of the organization's own storage; it is checked once now.",
      footerHeading = "%nExample:%n",
      footer = "  binary-backends --config platform.json register acme -f acme-s3.json --actor alice")
  static final class Register implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Option(names = {"-f", "--settings"}, required = true, paramLabel = "FILE|-",
        description = "the upload configuration's settings (JSON)")
    String settings;

    @Option(names = "--download-settings", paramLabel = "FILE", description = "a separate download configuration (a CDN)")
    String download;

    @Option(names = "--actor", paramLabel = "WHO", description = "who asks, for the audit trail") String actor;

    @Override
    public Integer call() {
      String who = actor(actor);
      try (PlatformConfig config = main.config(); BinaryBackends b = config.binaries()) {
        OrganizationId org = OrganizationId.of(organization);
        Optional<SettingsJson> cdn = Optional.ofNullable(download).map(d -> SettingsJson.of(Inputs.text("settings",
            d, main.stdin)));
        b.register(org, SettingsJson.of(Inputs.text("settings", settings, main.stdin)), cdn, who);
        print(main.out(), b.check(org));
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Verifies the organization's configurations now (\"I applied the policy\") and stores what changed.",
      footerHeading = "%nExample:%n", footer = "  binary-backends --config platform.json check acme")
  static final class Check implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Override
    public Integer call() {
      try (PlatformConfig config = main.config(); BinaryBackends b = config.binaries()) {
        print(main.out(), b.check(OrganizationId.of(organization)));
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes the organization's own storage: new uploads go to the default storage again.",
      footerHeading = "%nExample:%n", footer = "  binary-backends --config platform.json remove acme --actor alice")
  static final class Remove implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Option(names = "--actor", paramLabel = "WHO", description = "who asks, for the audit trail") String actor;

    @Override
    public Integer call() {
      String who = actor(actor);
      try (PlatformConfig config = main.config(); BinaryBackends b = config.binaries()) {
        print(main.out(), b.remove(OrganizationId.of(organization), who));
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "allow-fallback", mixinStandardHelpOptions = true,
      description = "Allows (true) or stops allowing (false) uploads to the default storage while the organization's"
          + " own storage is degraded.",
      footerHeading = "%nExample:%n",
      footer = "  binary-backends --config platform.json allow-fallback acme true --actor alice")
  static final class AllowFallback implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Parameters(index = "1", paramLabel = "true|false") boolean allowed;

    @Option(names = "--actor", paramLabel = "WHO", description = "who asks, for the audit trail") String actor;

    @Override
    public Integer call() {
      String who = actor(actor);
      try (PlatformConfig config = main.config(); BinaryBackends b = config.binaries()) {
        print(main.out(), b.allowFallback(OrganizationId.of(organization), allowed, who));
        return ExitCode.OK;
      }
    }
  }
}
