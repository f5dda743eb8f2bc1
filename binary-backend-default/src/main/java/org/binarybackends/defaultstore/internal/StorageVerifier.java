package org.binarybackends.defaultstore.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.binarybackends.BinaryBackendException;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.SignedUrl;
import org.binarybackends.VerificationReport;
import org.binarybackends.VerificationReport.Check;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.DownloadAuthorization;
import org.binarybackends.defaultstore.DownloadTokens;

/**
 * The default storage's {@code verify()}: a probe written, fsynced, read back and deleted outside
 * every organization's keys; the free space; a download URL signed and checked; and, when the
 * embedded server runs, a real HTTP round trip through it.
 */
final class StorageVerifier {
  static final long MIN_FREE_BYTES = 64L << 20;
  private static final OrganizationId PROBE_ORGANIZATION = OrganizationId.of("binary-backends.verify");

  private final DefaultStorageBackend backend;
  private final DefaultStorageSettings settings;
  private final Path staging;
  private final DownloadTokens tokens;
  private final DownloadServer server;

  StorageVerifier(DefaultStorageBackend backend, DefaultStorageSettings settings, Path staging, DownloadTokens tokens,
      DownloadServer server) {
    this.backend = backend;
    this.settings = settings;
    this.staging = staging;
    this.tokens = tokens;
    this.server = server;
  }

  VerificationReport verify() {
    List<Check> checks = new ArrayList<>();
    checks.add(probe());
    checks.add(freeSpace());
    ObjectKey probeKey = ObjectKey.of("verify/" + UUID.randomUUID());
    Check signing = signing(probeKey);
    checks.add(signing);
    if (server == null) {
      checks.add(Check.skipped("download-server", "no embedded download server is configured; downloads under "
          + settings.downloadBaseUri().orElseThrow() + " are served by the embedding service"));
    } else if (signing.status() != VerificationReport.Status.PASSED) {
      checks.add(Check.skipped("download-server", "signing failed"));
    } else {
      checks.add(downloadServer(probeKey));
    }
    return new VerificationReport(backend.instanceId(), backend.now(), checks);
  }

  private Check probe() {
    byte[] probe = new byte[64 << 10];
    new SecureRandom().nextBytes(probe);
    try {
      backend.probeRoundTrip(probe);
      return Check.passed("write-read-probe", "wrote, fsynced, read back and deleted a 64 KiB probe in " + staging);
    } catch (IOException | BinaryBackendException e) {
      return Check.failed("write-read-probe", "cannot write and read back a file under " + settings.root()
          + ": " + e.getMessage() + "; check that the directory exists, is writable by the service's user and"
          + " that its filesystem is mounted read-write and not full", false);
    }
  }

  private Check freeSpace() {
    try {
      long free = Files.getFileStore(settings.root()).getUsableSpace();
      String amount = (free >> 20) + " MiB free on the filesystem of " + settings.root();
      return free >= MIN_FREE_BYTES ? Check.passed("free-space", amount)
          : Check.failed("free-space", "only " + amount + ": uploads will fail; free space or move the root", true);
    } catch (IOException e) {
      return Check.failed("free-space", "cannot read the free space of " + settings.root() + ": " + e, true);
    }
  }

  private Check signing(ObjectKey probeKey) {
    try {
      SignedUrl url = backend.signDownloadUrl(PROBE_ORGANIZATION, probeKey, Duration.ofMinutes(1));
      URI uri = url.uri();
      // the base the backend signs under: the configured one, else the embedded server's
      String base = settings.downloadBaseUri().orElseGet(() -> server.localUri()).getRawPath();
      DownloadAuthorization auth = tokens.check(uri.getRawPath().substring(base.length()), uri.getRawQuery());
      return auth.granted() ? Check.passed("sign-download-url", "signed and checked a URL with key "
          + settings.activeSigningKeyId())
          : Check.failed("sign-download-url", "a URL just signed was refused (" + auth.reason()
              + "): is the clock of this host right?", false);
    } catch (RuntimeException e) {
      return Check.failed("sign-download-url", "signing a download URL failed: " + e, false);
    }
  }

  private Check downloadServer(ObjectKey probeKey) {
    URI local = server.localUri();
    SignedUrl url = tokens.sign(local, PROBE_ORGANIZATION, probeKey, Duration.ofMinutes(1));
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      int signed = status(client, url.uri());
      URI tampered = URI.create(url.uri().toString().replaceFirst("verify/", "verifz/"));
      int forged = status(client, tampered);
      if (signed == 404 && forged == 403) {
        return Check.passed("download-server", "the server at " + local + " answered a signed URL of a missing"
            + " probe with 404 and a forged one with 403");
      }
      return Check.failed("download-server", "the server at " + local + " answered " + signed + " to a signed URL of"
          + " a missing probe (expected 404) and " + forged + " to a forged one (expected 403)", false);
    } catch (IOException e) {
      return Check.failed("download-server", "cannot reach the download server at " + local + ": " + e, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.failed("download-server", "interrupted", true);
    }
  }

  private static int status(HttpClient client, URI uri) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
