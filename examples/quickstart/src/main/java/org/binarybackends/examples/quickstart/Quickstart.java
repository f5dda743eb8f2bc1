package org.binarybackends.examples.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.binarybackends.BinaryBackend;
import org.binarybackends.BinaryBackendRegistry;
import org.binarybackends.BinaryBackends;
import org.binarybackends.ObjectKey;
import org.binarybackends.OrganizationId;
import org.binarybackends.PutOptions;
import org.binarybackends.Secret;
import org.binarybackends.Sha256Digest;
import org.binarybackends.SignedUrl;
import org.binarybackends.StoredBinary;
import org.binarybackends.activation.ActivationPolicy;
import org.binarybackends.activation.JsonFileStateStore;
import org.binarybackends.activation.OrganizationStatus;
import org.binarybackends.activation.SettingsJson;
import org.binarybackends.activation.StateKey;
import org.binarybackends.activation.UploadTarget;
import org.binarybackends.defaultstore.DefaultStorageSettings;
import org.binarybackends.defaultstore.SigningKey;
import org.binarybackends.spi.BackendContext;

/**
 * The first steps with the library, on the embedded default storage: store a firmware binary for an
 * organization, hand out a signed URL, download it over HTTP (whole, then an interrupted download
 * resumed with a {@code Range}), and check its SHA-256 each time. Then the organization brings its
 * own storage: uploads stay on the platform's until it is verified, then switch, and every binary
 * stays downloadable from where it was stored; first an on-premises storage, then its own S3 bucket
 * (against the testkit's local STS and S3 server, see {@link S3Chapter}), last a bucket behind its
 * CloudFront distribution (the testkit's edge emulator, see {@link CloudFrontChapter}). Exits non-zero
 * if any check fails.
 *
 * <p>Usage: {@code Quickstart [storage-root] [size-in-MiB]}; by default a new temp directory and 64 MiB.
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) throws Exception {
    boolean temporary = args.length == 0;
    Path root = temporary ? Files.createTempDirectory("binary-backends-quickstart") : Path.of(args[0]);
    long size = (args.length > 1 ? Long.parseLong(args[1]) : 64) << 20;
    try {
      run(root, size);
      System.out.println("Quickstart OK.");
    } catch (IllegalStateException e) {
      System.out.println("Quickstart FAILED: " + e.getMessage());
      System.exit(1);
    } finally {
      if (temporary) {
        deleteTree(root);
      }
    }
  }

  /**
   * Runs the quickstart on a storage under {@code root} with a binary of {@code size} bytes.
   *
   * @throws IllegalStateException if a download does not give back the stored bytes
   */
  public static void run(Path root, long size) throws Exception {

    // 1. Configure the default storage: a root directory, an HMAC key for download URLs, and the
    //    embedded download server on a free loopback port.
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    DefaultStorageSettings settings = DefaultStorageSettings.builder()
        .root(root.resolve("platform"))
        .rootId(DefaultStorageSettings.newRootId()) // a new root: a real platform keeps its root's id in its configuration
        .addSigningKey(SigningKey.of("quickstart-key", Secret.ofBytes(key)))
        .downloadServerAddress(new InetSocketAddress("127.0.0.1", 0))
        .build();
    System.out.println("Settings: " + settings); // no secret in here

    // 2. Create the backend through the registry, which found the "default" provider by ServiceLoader.
    BinaryBackendRegistry registry = BinaryBackendRegistry.installed();
    System.out.println("Installed backend types: " + registry.types());
    try (BinaryBackend backend = registry.create(settings, BackendContext.defaults())) {
      System.out.println("Verify: " + backend.verify());

      // 3. Store a binary, streamed: the firmware is generated as it is read, never held in memory.
      OrganizationId org = OrganizationId.of("3f1c2a9e-8d4b-4c1e-9f7a-2b6d5e8c1a00");
      ObjectKey firmware = ObjectKey.of("firmware/sensor-v2.4.1.bin");
      Sha256Digest expected = digest(new Firmware(size));
      StoredBinary stored = backend.put(org, firmware, new Firmware(size),
          PutOptions.builder().expectedSha256(expected).contentLength(size).build());
      System.out.println("Stored " + stored.location() + ": " + stored.size() + " bytes, sha256 " + stored.sha256());

      // 4. A signed URL for a device; print it redacted, as logs must.
      SignedUrl url = backend.signDownloadUrl(org, firmware, Duration.ofHours(1));
      System.out.println("Signed URL " + url.redacted() + " expires at " + url.expiresAt());

      // 5. Download it whole over HTTP, checking the SHA-256.
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<InputStream> whole = http.send(HttpRequest.newBuilder(url.uri()).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      String etag = whole.headers().firstValue("ETag").orElseThrow();
      Sha256Digest downloaded;
      try (InputStream body = whole.body()) {
        downloaded = digest(body);
      }
      check("whole download: HTTP " + whole.statusCode() + ", sha256 " + downloaded,
          whole.statusCode() == 200 && downloaded.equals(expected));

      // 6. An interrupted download resumed with Range + If-Range: the first third, then the rest.
      MessageDigest resumed = MessageDigest.getInstance("SHA-256");
      long cut = size / 3;
      HttpResponse<InputStream> first = http.send(HttpRequest.newBuilder(url.uri())
          .header("Range", "bytes=0-" + (cut - 1)).build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = first.body()) {
        update(resumed, body);
      }
      HttpResponse<InputStream> rest = http.send(HttpRequest.newBuilder(url.uri())
          .header("Range", "bytes=" + cut + "-").header("If-Range", etag).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream body = rest.body()) {
        update(resumed, body);
      }
      Sha256Digest joined = Sha256Digest.of(resumed);
      check("resumed download: HTTP " + first.statusCode() + " then " + rest.statusCode() + " ("
              + rest.headers().firstValue("Content-Range").orElse("?") + "), sha256 " + joined,
          first.statusCode() == 206 && rest.statusCode() == 206 && joined.equals(expected));

      bringYourOwnStorage(root, registry, backend, org, stored, http);
      S3Chapter.run(root, backend, org, stored, http, Quickstart::check);
      CloudFrontChapter.run(root, backend, http, Quickstart::check);
    }
  }

  /**
   * Part two, the activation rule: the organization registers its own storage (here an on-premises
   * one of type {@code default}, whose download server cannot start yet because its port is taken),
   * uploads stay on the platform's storage while it cannot be verified, the switch happens once it
   * can, and the binary stored before the switch stays downloadable from the platform's storage.
   */
  private static void bringYourOwnStorage(Path root, BinaryBackendRegistry registry, BinaryBackend platform,
      OrganizationId org, StoredBinary storedBefore, HttpClient http) throws Exception {
    System.out.println();
    System.out.println("== The organization brings its own storage");
    byte[] stateKey = new byte[32];
    new SecureRandom().nextBytes(stateKey);
    // one object wires the state store, the platform's storage and the activation rule; the platform
    // backend was built by the caller, so it stays the caller's (the next chapters use it too)
    try (BinaryBackends binaries = BinaryBackends.builder()
        .stateStore(JsonFileStateStore.open(root.resolve("state"),
            List.of(new StateKey("quickstart-2026-11", Secret.ofBytes(stateKey)))))
        .defaultStorage(platform)
        .registry(registry)
        .policy(ActivationPolicy.builder().allowedTypes("default").build()) // an on-premises storage: the platform allows it
        .listener(e -> System.out.println("  event: " + e.transition().change() + " (" + e.transition().reason() + ")"))
        .scheduled(false) // checked on demand here, to show each step
        .build()) {
      StoredBinary during;
      try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        SettingsJson own = ownStorage(root.resolve("acme-onprem"), taken.getLocalPort());
        binaries.register(org, own, "quickstart");
        OrganizationStatus status = binaries.check(org);
        System.out.println("Status for an admin page: " + status.toJson());
        UploadTarget pending = binaries.forUpload(org);
        System.out.println("Uploads go to " + pending.backend().instanceId() + " because " + pending.reason());
        during = pending.backend().put(org, ObjectKey.of("firmware/sensor-v2.4.2.bin"), new Firmware(1 << 20));
        check("while pending, a new upload stays on the platform's storage: " + during.location(),
            !pending.custom() && during.location().instance().equals(platform.instanceId())
                && status.uploadsGoTo() == OrganizationStatus.UploadsGoTo.DEFAULT_STORAGE);
      } // the port is free now: the organization's download server can start

      OrganizationStatus switched = binaries.check(org);
      UploadTarget active = binaries.forUpload(org);
      StoredBinary after = active.backend().put(org, ObjectKey.of("firmware/sensor-v2.5.0.bin"), new Firmware(2 << 20));
      check("after the switch (" + active.reason() + "), a new upload lands in " + after.location(),
          active.custom() && !after.location().instance().equals(platform.instanceId())
              && switched.uploadsGoTo() == OrganizationStatus.UploadsGoTo.OWN_STORAGE);

      for (StoredBinary b : List.of(storedBefore, during, after)) {
        SignedUrl url = binaries.signDownloadUrl(b.location(), Duration.ofMinutes(10));
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(url.uri()).build(),
            HttpResponse.BodyHandlers.ofInputStream());
        Sha256Digest got;
        try (InputStream body = r.body()) {
          got = digest(body);
        }
        check(b.location() + " downloads from " + url.redacted() + ": HTTP " + r.statusCode(),
            r.statusCode() == 200 && got.equals(b.sha256()));
      }
    }
  }

  /** Settings of the organization's own storage, as its administrator would send them (JSON). */
  private static SettingsJson ownStorage(Path root, int port) {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    ObjectNode json = new ObjectMapper().createObjectNode().put("type", "default").put("name", "acme-onprem")
        .put("root", root.toString()).put("downloadServerAddress", "127.0.0.1:" + port)
        // the id its new root is created with; only settings naming it open that root again
        .put("rootId", DefaultStorageSettings.newRootId().revealUtf8());
    json.putArray("signingKeys").addObject().put("id", "acme-1").put("secret", Base64.getEncoder().encodeToString(key));
    return SettingsJson.of(json.toString());
  }

  private static void check(String what, boolean ok) {
    System.out.println((ok ? "OK   " : "FAIL ") + what);
    if (!ok) {
      throw new IllegalStateException(what);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }

  static Sha256Digest digest(InputStream in) throws IOException {
    MessageDigest sha = sha256();
    update(sha, in);
    return Sha256Digest.of(sha);
  }

  private static void update(MessageDigest sha, InputStream in) throws IOException {
    try (DigestInputStream digesting = new DigestInputStream(in, sha)) {
      digesting.transferTo(OutputStreamSink.INSTANCE);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Discards what is written. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }

  /** A stand-in firmware image: deterministic bytes generated as they are read. */
  static final class Firmware extends InputStream {
    private final long size;
    private long position;

    Firmware(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      return position < size ? (int) (position++ * 2654435761L >>> 13) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (position >= size) {
        return -1;
      }
      int n = (int) Math.min(len, size - position);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) (position++ * 2654435761L >>> 13);
      }
      return n;
    }
  }
}
