package org.binarybackends.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code sign ORG KEY}: a download URL, redacted unless {@code --show-url}. */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = "A download URL for the binary, with its true expiry. The URL is a credential: it is printed"
        + " redacted (signature hidden) unless --show-url.",
    footerHeading = "%nExample:%n", footer = "  binary-backends sign acme fw/sensor-2.4.1.bin --ttl PT1H --show-url")
final class SignCommand implements Callable<Integer> {
  @ParentCommand
  Main main;

  @Parameters(index = "0", paramLabel = "ORG") String organization;

  @Parameters(index = "1", paramLabel = "KEY") String key;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "PT1H",
      description = "how long it should work, ISO-8601 (default PT1H); the storage may end it sooner and says when")
  Duration ttl;

  @Option(names = "--show-url", description = "print the URL in full (it lets anyone download the binary)")
  boolean show;

  @picocli.CommandLine.Mixin
  ObjectCommands.Target target = new ObjectCommands.Target();

  @Override
  public Integer call() {
    OrganizationId org = OrganizationId.of(organization);
    SignedUrl url = target.with(main, org, b -> b.signDownloadUrl(org, ObjectKey.of(key), ttl));
    String shown = show ? url.uri().toString() : url.redacted();
    Output out = main.out();
    if (out.json()) {
      out.json(Output.object().put("url", shown).put("expiresAt", url.expiresAt().toString()).put("redacted", !show));
    } else {
      out.line(shown);
      main.stderr.println("expires at " + url.expiresAt() + (show ? "" : "; --show-url prints it in full"));
    }
    return ExitCode.OK;
  }
}
