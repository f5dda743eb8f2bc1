package org.binarybackends.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.binarybackends.BackendInstanceId;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.migration.MigrationListener;
import org.binarybackends.migration.MigrationOptions;
import org.binarybackends.migration.MigrationPlan;
import org.binarybackends.migration.MigrationStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code migrate plan|run|status|delete-source}: an organization's binaries moved between its
 * storages through the library's {@code Migrations}, resumable, with a progress line on stderr.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Moves an organization's binaries between its storages, verified and resumable: plan (a dry run),"
        + " run (again to resume), status, delete-source (the originals, once the move completed and its URLs"
        + " expired). A storage is named default, active, staged, a configuration id, or an instance as status"
        + " prints it.",
    subcommands = {MigrateCommand.Plan.class, MigrateCommand.Run.class, MigrateCommand.Status.class,
        MigrateCommand.DeleteSource.class},
    footerHeading = "%nExample:%n",
    footer = "  binary-backends --config platform.json migrate run acme --from default --to active --actor alice")
final class MigrateCommand implements Runnable {
  @ParentCommand
  Main main;

  @Override
  public void run() {
    throw new ExitCode.CliException(ExitCode.USAGE, "migrate needs a subcommand: plan, run, status or delete-source");
  }

  /** The instance {@code name} names for {@code org}: default, active, staged, a configuration id, or an instance. */
  static BackendInstanceId instance(BinaryBackends b, OrganizationId org, String option, String name) {
    if (name == null || name.isBlank()) {
      throw new ExitCode.CliException(ExitCode.USAGE, option + " is required: default, active, staged, a configuration"
          + " id or an instance as status prints it");
    }
    if (name.equals("default")) {
      return b.defaultStorage().instanceId();
    }
    OrganizationStatus s = b.status(org);
    List<String> known = new ArrayList<>(List.of("default"));
    for (var c : List.of(s.active(), s.staged())) {
      if (c.isPresent()) {
        String which = c == s.active() ? "active" : "staged";
        if (name.equals(which) || name.equals(c.get().id()) || name.equals(c.get().storage().toString())) {
          return c.get().storage();
        }
        known.add(which + " (" + c.get().id() + ", " + c.get().storage() + ")");
      }
    }
    for (OrganizationStatus.Retired r : s.retired()) {
      if (name.equals(r.storage().toString())) {
        return r.storage();
      }
      known.add(r.storage().toString());
    }
    throw new ExitCode.CliException(ExitCode.INVALID, option + " '" + name + "' is none of organization " + org.value()
        + "'s storages: " + String.join(", ", known));
  }

  static void print(Output out, MigrationStatus s) {
    if (!out.json()) {
      out.line(s.toString());
      return;
    }
    ObjectNode n = Output.object().put("organization", s.organization().value()).put("from", s.from().toString())
        .put("to", s.to().toString()).put("state", s.state().name()).put("copied", s.copied())
        .put("copiedBytes", s.copiedBytes()).put("skipped", s.skipped()).put("conflicts", s.conflicts())
        .put("failures", s.failures()).put("reason", s.reason()).put("startedAt", s.startedAt().toString())
        .put("updatedAt", s.updatedAt().toString());
    s.cursor().ifPresent(c -> n.put("cursor", c.value()));
    s.completedAt().ifPresent(t -> n.put("completedAt", t.toString()));
    out.json(n);
  }

  /** The options every subcommand takes. */
  abstract static class OfOrganization {
    @ParentCommand
    MigrateCommand migrate;

    @Parameters(index = "0", paramLabel = "ORG", description = "the organization id")
    String organization;

    @Option(names = "--from", paramLabel = "STORAGE", description = "where the binaries are: default, active, staged,"
        + " a configuration id, or an instance as status prints it")
    String from;

    Main main() {
      return migrate.main;
    }
  }

  @Command(name = "plan", mixinStandardHelpOptions = true,
      description = "What a run would copy, what is at the target already, and what conflicts; changes nothing.")
  static final class Plan extends OfOrganization implements Callable<Integer> {
    @Option(names = "--to", paramLabel = "STORAGE", description = "where they go") String to;

    @Override
    public Integer call() {
      try (PlatformConfig config = main().config(); BinaryBackends b = config.binaries()) {
        OrganizationId org = OrganizationId.of(organization);
        MigrationPlan p = b.migrations().plan(org, instance(b, org, "--from", from), instance(b, org, "--to", to));
        Output out = main().out();
        if (out.json()) {
          ObjectNode n = Output.object().put("organization", org.value()).put("from", p.from().toString())
              .put("to", p.to().toString()).put("toCopy", p.toCopy()).put("toCopyBytes", p.toCopyBytes())
              .put("alreadyThere", p.alreadyThere()).put("alreadyThereBytes", p.alreadyThereBytes())
              .put("conflicts", p.conflicts()).put("copiesInStorage", p.copiesInStorage());
          p.conflictKeys().forEach(k -> n.withArray("conflictKeys").add(k.value()));
          out.json(n);
        } else {
          out.line(p.toString());
        }
        return p.conflicts() > 0 ? ExitCode.FAILED : ExitCode.OK;
      }
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = "Copies and verifies every binary, then records the move; run it again to resume. Ctrl-C stops it"
          + " (the copies in flight cut short, nothing half-written visible; exit 130), resumable.")
  static final class Run extends OfOrganization implements Callable<Integer> {
    @Option(names = "--to", paramLabel = "STORAGE", description = "where they go") String to;

    @Option(names = "--actor", paramLabel = "WHO", description = "who asks, for the audit trail") String actor;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "copies at once (1 to 64)")
    int concurrency;

    @Option(names = "--rate", paramLabel = "BYTES", defaultValue = "0",
        description = "at most this many bytes per second read from the source; 0: no limit")
    long rate;

    @Override
    public Integer call() {
      String who = StateCommands.actor(actor);
      MigrationOptions options = MigrationOptions.builder(who).concurrency(concurrency).bytesPerSecond(rate).build();
      try (PlatformConfig config = main().config(); BinaryBackends b = config.binaries()) {
        OrganizationId org = OrganizationId.of(organization);
        BackendInstanceId source = instance(b, org, "--from", from);
        BackendInstanceId target = instance(b, org, "--to", to);
        boolean drawn = Progress.wanted(main().env);
        MigrationListener progress = new MigrationListener() {
          @Override
          public void progress(MigrationStatus s) {
            if (drawn) {
              main().stderr.print("\r" + s.copied() + " copied (" + String.format(java.util.Locale.ROOT, "%.1f MiB",
                  s.copiedBytes() / 1048576.0) + "), " + s.skipped() + " skipped, " + s.conflicts() + " conflicts"
                  + s.cursor().map(c -> ", at " + c.value()).orElse("") + "   ");
              main().stderr.flush();
            }
          }

          @Override
          public void conflict(ObjectKey key, String why) {
            main().stderr.println((drawn ? "\n" : "") + "conflict: " + key.value() + ": " + why);
          }

          @Override
          public void failed(ObjectKey key, String why) {
            main().stderr.println((drawn ? "\n" : "") + "failed: " + key.value() + ": " + why);
          }
        };
        MigrationStatus s = Interrupts.stoppable(() -> b.migrations().run(org, source, target, options, progress));
        if (drawn) {
          main().stderr.println();
        }
        print(main().out(), s);
        switch (s.state()) {
          case COMPLETED:
            return ExitCode.OK;
          case STOPPED:
            if (Interrupts.cancelled()) {
              main().stderr.println("interrupted: stopped, the copies in flight cut short; run it again to resume");
              return ExitCode.INTERRUPTED;
            }
            return ExitCode.FAILED;
          default:
            return ExitCode.FAILED;
        }
      }
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Where the move of the organization's binaries out of a storage stands.")
  static final class Status extends OfOrganization implements Callable<Integer> {
    @Override
    public Integer call() {
      try (PlatformConfig config = main().config(); BinaryBackends b = config.binaries()) {
        OrganizationId org = OrganizationId.of(organization);
        BackendInstanceId source = instance(b, org, "--from", from);
        MigrationStatus s = b.migrations().status(org, source).orElseThrow(() -> new ExitCode.CliException(
            ExitCode.NOT_FOUND, "no move of organization " + org.value() + "'s binaries out of " + source
                + " was started"));
        print(main().out(), s);
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "delete-source", mixinStandardHelpOptions = true,
      description = "Deletes the originals of a completed move (only those at the target with the same SHA-256), once"
          + " every URL the source signed has expired (7 days).")
  static final class DeleteSource extends OfOrganization implements Callable<Integer> {
    @Option(names = "--actor", paramLabel = "WHO", description = "who asks, for the audit trail") String actor;

    @Option(names = "--dry-run", description = "list what would go; delete nothing") boolean dryRun;

    @Override
    public Integer call() {
      String who = StateCommands.actor(actor);
      try (PlatformConfig config = main().config(); BinaryBackends b = config.binaries()) {
        OrganizationId org = OrganizationId.of(organization);
        BackendInstanceId source = instance(b, org, "--from", from);
        long n = b.migrations().deleteSource(org, source, dryRun, who, new MigrationListener() {
          @Override
          public void skipped(ObjectKey key, String why) {
            main().stderr.println("kept: " + key.value() + ": " + why);
          }
        });
        Output out = main().out();
        if (out.json()) {
          out.json(Output.object().put("organization", org.value()).put("from", source.toString())
              .put("dryRun", dryRun).put(dryRun ? "wouldDelete" : "deleted", n));
        } else {
          out.line((dryRun ? "would delete " : "deleted ") + n + " originals from " + source);
        }
        return ExitCode.OK;
      }
    }
  }
}
