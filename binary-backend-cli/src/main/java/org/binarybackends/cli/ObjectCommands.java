package org.binarybackends.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackends;
import org.binarybackends.BinaryContent;
import org.binarybackends.ByteRange;
import org.binarybackends.DeleteResult;
import org.binarybackends.ListedBinary;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Sha256Digest;
import org.binarybackends.StoredBinary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code put}, {@code get}, {@code stat}, {@code ls}, {@code rm}: against a backend built from
 * settings ({@code -f}), or, without, against where the organization's uploads go now (its own
 * storage once active, the default storage until then) through the config's state store. Transfers
 * stream in constant memory at any size.
 */
final class ObjectCommands {
  private ObjectCommands() {}

  /** Where the command's backend comes from. */
  static final class Target {
    @Option(names = {"-f", "--settings"}, paramLabel = "FILE",
        description = "a backend's settings (JSON); without, the organization's storage from the config's state store")
    String settings;

    @Option(names = "--default-storage",
        description = "the config's default storage, not where the organization's uploads go now (binaries stored"
            + " there before it switched)")
    boolean defaultStorage;

    /** Runs {@code use} on the backend, closing what it opened. */
    <T> T with(Main main, OrganizationId org, Function<BinaryBackend, T> use) {
      try (PlatformConfig config = main.config()) {
        if (settings != null) {
          try (BinaryBackend b = Inputs.backend(settings, main.stdin, config.context())) {
            return use.apply(b);
          }
        }
        try (BinaryBackends b = config.binaries()) {
          return use.apply(defaultStorage ? b.defaultStorage() : b.forUpload(org).backend());
        }
      }
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true,
      description = "Stores FILE (or stdin) under KEY, streamed; Ctrl-C aborts it and leaves nothing (exit 130).",
      footerHeading = "%nExample:%n",
      footer = "  binary-backends put acme fw/sensor-2.4.1.bin sensor.bin -f acme-s3.json --sha256 9f86d08…")
  static final class Put implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Parameters(index = "1", paramLabel = "KEY") String key;

    @Parameters(index = "2", arity = "0..1", paramLabel = "FILE|-", description = "what to store (default: stdin)")
    String file = "-";

    @Option(names = "--sha256", paramLabel = "HEX", description = "the SHA-256 the content must have")
    String sha256;

    @picocli.CommandLine.Mixin
    Target target = new Target();

    @Override
    public Integer call() throws IOException {
      if (file.equals("-") && "-".equals(target.settings)) {
        throw new ExitCode.CliException(ExitCode.USAGE, "the settings and the content cannot both come from stdin");
      }
      OrganizationId org = OrganizationId.of(organization);
      ObjectKey k = ObjectKey.of(key);
      PutOptions.Builder options = PutOptions.builder();
      if (sha256 != null) {
        options.expectedSha256(Sha256Digest.ofHex(sha256));
      }
      long length = -1;
      if (!file.equals("-")) {
        length = Files.size(Path.of(file));
        options.contentLength(length);
      }
      long total = length;
      try (InputStream source = file.equals("-") ? main.stdin : Files.newInputStream(Path.of(file))) {
        InputStream in = Interrupts.cancellable(source);
        boolean drawn = Progress.wanted(main.env);
        InputStream shown = drawn ? Progress.drawn(in, total, main.stderr) : in;
        StoredBinary stored;
        try {
          stored = Interrupts.guarded(() -> target.with(main, org, b -> b.put(org, k, shown, options.build())));
        } finally {
          if (drawn) {
            shown.close(); // ends the progress line
          }
        }
        Output out = main.out();
        if (out.json()) {
          out.json(Output.stored(stored));
        } else {
          out.line("stored " + stored.key() + ": " + stored.size() + " bytes, sha256 " + stored.sha256().hex()
              + " in " + stored.location().instance());
        }
        return ExitCode.OK;
      }
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Writes the binary to stdout, or to FILE (written whole, then renamed into place).",
      footerHeading = "%nExample:%n", footer = "  binary-backends get acme fw/sensor-2.4.1.bin -f acme-s3.json > sensor.bin")
  static final class Get implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Parameters(index = "1", paramLabel = "KEY") String key;

    @Option(names = "-O", paramLabel = "FILE", description = "write to FILE instead of stdout") Path output;

    @picocli.CommandLine.Mixin
    Target target = new Target();

    @Override
    public Integer call() {
      OrganizationId org = OrganizationId.of(organization);
      ObjectKey k = ObjectKey.of(key);
      return target.with(main, org, b -> {
        try (BinaryContent c = b.read(org, k, ByteRange.all())) {
          if (Progress.wanted(main.env)) {
            try (InputStream drawn = Progress.drawn(c.stream(), c.binary().size(), main.stderr)) {
              copy(drawn); // closing it ends the progress line; the content closes its own stream
            }
          } else {
            copy(c.stream());
          }
          return ExitCode.OK;
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    }

    private void copy(InputStream in) throws IOException {
      if (output == null) {
        in.transferTo(main.stdout);
        main.stdout.flush();
        return;
      }
      Path partial = output.resolveSibling(output.getFileName() + ".partial");
      try (OutputStream out = Files.newOutputStream(partial)) {
        in.transferTo(out);
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(partial); // a failed download leaves no partial file behind
        throw e;
      }
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  @Command(name = "stat", mixinStandardHelpOptions = true, description = "The binary's size, SHA-256 and time.",
      footerHeading = "%nExample:%n", footer = "  binary-backends stat acme fw/sensor-2.4.1.bin -o json")
  static final class Stat implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Parameters(index = "1", paramLabel = "KEY") String key;

    @picocli.CommandLine.Mixin
    Target target = new Target();

    @Override
    public Integer call() {
      OrganizationId org = OrganizationId.of(organization);
      StoredBinary s = target.with(main, org, b -> b.stat(org, ObjectKey.of(key)));
      Output out = main.out();
      if (out.json()) {
        out.json(Output.stored(s));
      } else {
        out.line(s.key() + "\t" + s.size() + "\t" + s.sha256().hex() + "\t" + s.storedAt());
      }
      return ExitCode.OK;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "The organization's binaries under PREFIX.",
      footerHeading = "%nExample:%n", footer = "  binary-backends ls acme fw/ -f acme-s3.json")
  static final class Ls implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PREFIX") String prefix = "";

    @picocli.CommandLine.Mixin
    Target target = new Target();

    @Override
    public Integer call() {
      OrganizationId org = OrganizationId.of(organization);
      Output out = main.out();
      return target.with(main, org, b -> {
        try (var all = b.list(org, prefix)) {
          all.forEach((ListedBinary l) -> {
            if (out.json()) {
              out.json(Output.object().put("key", l.key().value()).put("size", l.size())
                  .put("storedAt", l.storedAt().toString()));
            } else {
              out.line(l.key() + "\t" + l.size() + "\t" + l.storedAt());
            }
          });
        }
        return ExitCode.OK;
      });
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true,
      description = "Deletes the binary; exit 5 if nothing was stored under the key.",
      footerHeading = "%nExample:%n", footer = "  binary-backends rm acme fw/old.bin -f acme-s3.json")
  static final class Rm implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "ORG") String organization;

    @Parameters(index = "1", paramLabel = "KEY") String key;

    @picocli.CommandLine.Mixin
    Target target = new Target();

    @Override
    public Integer call() {
      OrganizationId org = OrganizationId.of(organization);
      DeleteResult r = target.with(main, org, b -> b.delete(org, ObjectKey.of(key)));
      Output out = main.out();
      if (out.json()) {
        out.json(Output.object().put("organization", organization).put("key", key)
            .put("deleted", r == DeleteResult.DELETED));
      } else {
        out.line(r == DeleteResult.DELETED ? "deleted " + key : "nothing stored under " + key);
      }
      return r == DeleteResult.DELETED ? ExitCode.OK : ExitCode.NOT_FOUND;
    }
  }
}
